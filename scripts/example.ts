/**
 * `npm run example -- <name> [args…]`: runs one of `examples/` on the project's Node (24, the `node`
 * dev dependency that npm scripts use, whatever the system Node is), the way it is meant to run:
 *
 * - dist/ is built first when it is missing or older than src/ (the examples import the package by
 *   its name, `mvx-common`, which resolves to dist/ through the package's self-reference);
 * - the example's TypeScript runs as it is (Node strips the types), except files with decorators,
 *   which Node cannot run: such a file and the local modules it imports are compiled by the
 *   TypeScript compiler into `.tmp/examples/`, again only when a source is newer than its output.
 *
 * `<name>` is an example's path under `examples/` without `.ts` (`log-invocation`,
 * `metrics/worker-threads`), or a path to its file. With no name it lists the examples.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale } from './build.mjs';

const root = join(import.meta.dirname, '..');
const examplesDir = join(root, 'examples');
const outDir = join(root, '.tmp', 'examples');

/** A line starting with `@name` or `@name(`: a decorator (JSDoc tags start with `*`, not `@`). */
const DECORATOR = /^[ \t]*@[A-Za-z_$][\w$.]*[ \t]*(\(|$)/m;
const LOCAL_IMPORT = /(?:^|\n)[ \t]*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+\.ts)['"]|import\(\s*['"](\.{1,2}\/[^'"]+\.ts)['"]\s*\)/g;

/** The local `.ts` modules a file imports (relative specifiers), resolved to paths. */
function localImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(LOCAL_IMPORT)].map((m) => resolve(dirname(file), (m[1] ?? m[2])!));
}

/** A file and every local module it imports, transitively. */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    for (const dep of localImports(file)) visit(dep);
  };
  visit(entry);
  return [...seen];
}

/** Example entry points (files under examples/ that no other example imports), by name. */
export function listExamples(): Map<string, string> {
  const files = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(examplesDir, f));
  const imported = new Set(files.flatMap(localImports));
  const entries = new Map<string, string>();
  for (const f of files.filter((x) => !imported.has(x)).sort()) {
    const name = relative(examplesDir, f).split(sep).join('/').replace(/\.ts$/, '').replace(/\/main$/, '');
    entries.set(name, f);
  }
  return entries;
}

function resolveExample(arg: string): string | undefined {
  const examples = listExamples();
  const name = arg.replace(/\\/g, '/').replace(/^(\.\/)?examples\//, '').replace(/\.ts$/, '');
  if (examples.has(name)) return examples.get(name);
  const asPath = resolve(arg);
  return [...examples.values()].find((f) => f === asPath);
}

/** Compiles the graph's files into .tmp/examples/ where stale; returns the entry's output. */
async function compile(entry: string, graph: readonly string[]): Promise<string> {
  const outputOf = (f: string): string => join(outDir, relative(examplesDir, f)).replace(/\.ts$/, '.js');
  const stale = graph.filter((f) => !existsSync(outputOf(f)) || statSync(outputOf(f)).mtimeMs < statSync(f).mtimeMs);
  if (stale.length > 0) {
    const { default: ts } = await import('typescript');
    for (const f of stale) {
      const { outputText } = ts.transpileModule(readFileSync(f, 'utf8'), {
        fileName: f,
        compilerOptions: {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.ESNext,
          rewriteRelativeImportExtensions: true,
          verbatimModuleSyntax: true,
          inlineSourceMap: true,
          inlineSources: true,
        },
      });
      mkdirSync(dirname(outputOf(f)), { recursive: true });
      writeFileSync(outputOf(f), outputText);
    }
  }
  return outputOf(entry);
}

async function main(): Promise<void> {
  const [arg, ...rest] = process.argv.slice(2);
  const usage = `usage: npm run example -- <name> [args...]\nexamples:\n  ${[...listExamples().keys()].join('\n  ')}\n`;
  if (arg === undefined || arg === '--help' || arg === '-h') {
    process.stdout.write(usage);
    return;
  }
  const entry = resolveExample(arg);
  if (entry === undefined) {
    process.stderr.write(`no example '${arg}'\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const built = buildIfStale();
  if (built !== undefined) process.stderr.write(`[example] built dist/ (${built})\n`);
  const graph = moduleGraph(entry);
  const needsCompiler = graph.some((f) => DECORATOR.test(readFileSync(f, 'utf8')));
  const target = needsCompiler ? await compile(entry, graph) : entry;
  // Run it in this process, as `node <file> args…` would: its own argv, signals and exit code.
  process.argv = [process.argv[0]!, target, ...rest];
  await import(pathToFileURL(target).href);
}

// Run as a script (not when a test imports listExamples).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) await main();

/**
 * The package as users get it, and the docs as users read them.
 *
 * One `npm pack` on a fresh copy of the working tree (no dist/: `prepack` must build it) and one
 * consumer project that installs the tarball with the packages the docs tell users to add serve
 * both halves: the package checks (exports, types, source maps) and every runnable ```ts block of
 * README.md and docs/*.md, type-checked against the packed declarations by one tsc run, then
 * executed with the project's Node against a real OTLP receiver and StatsD daemon on 127.0.0.1,
 * each one's output compared with its `// prints:` / `// stderr:` claims.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../e2e/otlp-receiver.ts';
import type { OtlpReceiver } from '../e2e/otlp-receiver.ts';
import { startStatsdDaemon } from '../e2e/statsd-daemon.ts';
import type { StatsdDaemon } from '../e2e/statsd-daemon.ts';
import { createConsumer, filesUnder, packFromCleanTree, root, run, tsc, workDir } from './consumer.ts';
import type { CommandResult, Consumer } from './consumer.ts';
import { compareOutput, installedByDocs, snippets } from './snippets.ts';

const all = snippets(root);
const runnable = all.filter((s) => !s.fragment);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
// JSON exports (the config schema) are data, checked by the pack listing above, not imported as modules.
const subpaths = Object.keys(manifest.exports).filter((k) => k !== './package.json' && !k.endsWith('.json'));
const specifier = (subpath: string): string => (subpath === '.' ? 'mvx-common' : `mvx-common/${subpath.slice(2)}`);

let work: string;
let consumer: Consumer;
let typeErrors: string[] = [];
let receiver: OtlpReceiver | undefined;
let statsd: StatsdDaemon | undefined;
const syntaxErrorsByFile = new Map<string, string[]>();

/** Syntax errors of a piece of TypeScript, each as `line:column message` (1-based). */
function syntaxErrors(code: string): string[] {
  const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2023 } });
  return (out.diagnostics ?? []).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    return `${pos.line + 1}:${pos.character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
beforeAll(async () => {
  work = workDir('mvx-packed-');
  const packed = await packFromCleanTree(work);
  // @types/node: the consumer is a TypeScript project on Node, as the snippets' readers' are.
  consumer = await createConsumer(work, packed, [...installedByDocs(root), '@types/node']);
  // Everything the consumer type-checks, in one program: the snippets and an import of every subpath.
  mkdirSync(join(consumer.dir, 'snippets'));
  mkdirSync(join(consumer.dir, 'checks'));
  // A syntax error anywhere would hide every semantic error of the program: a snippet that does not
  // parse is left out of it and fails with its syntax errors.
  for (const s of runnable) {
    const syntax = syntaxErrors(s.code);
    if (syntax.length > 0) syntaxErrorsByFile.set(s.file, syntax);
    else writeFileSync(join(consumer.dir, 'snippets', s.file), `${s.code}\n`);
  }
  writeFileSync(
    join(consumer.dir, 'checks', 'subpaths.ts'),
    subpaths.map((p, i) => `import * as m${i} from '${specifier(p)}';\n`).join('') +
      `export const modules: object[] = [${subpaths.map((_, i) => `m${i}`).join(', ')}];\n`,
  );
  const typecheck = await tsc(join(consumer.dir, 'tsconfig.json'));
  typeErrors = `${typecheck.stdout}${typecheck.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
  [receiver, statsd] = await Promise.all([startOtlpReceiver(), startStatsdDaemon()]);
}, 300_000);

afterAll(async () => {
  await receiver?.close();
  await statsd?.stop();
  // MVX_KEEP_PACKED=1 keeps the tarball, the copy and the consumer project for a closer look.
  if (work && process.env.MVX_KEEP_PACKED === undefined) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`kept ${work}`);
});

describe('npm pack on a fresh clone', () => {
  it('builds dist/ itself (prepack) and ships every export target, the sources the maps name, and no stale output', () => {
    const { packed } = consumer;
    expect(packed.hadDistBeforePack).toBe(false);
    const files = new Set(packed.files);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const paths = typeof target === 'string' ? [target] : Object.values(target as Record<string, string>);
      for (const p of paths) expect(files, `${subpath} -> ${p}`).toContain(p.replace(/^\.\//, ''));
    }
    expect(files).toContain('src/index.ts');
    expect(files).toContain('README.md');
    // Every compiled module comes from a source that exists today (a clean build, nothing left over).
    const js = packed.files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(20);
    for (const f of js) expect(files, f).toContain(f.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
    // Nothing of the repository's own tooling or tests.
    expect(packed.files.filter((f) => /^(test|examples|bench|scripts|docs|node_modules)\//.test(f))).toEqual([]);
  });

  it('every source map in the installed package names sources that exist inside the package', () => {
    const maps = filesUnder(consumer.packageDir).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(20);
    const outside: string[] = [];
    for (const m of maps) {
      const file = join(consumer.packageDir, m);
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string };
      expect(map.sources.length, m).toBeGreaterThan(0);
      for (const s of map.sources) {
        const target = resolve(dirname(file), map.sourceRoot ?? '', s);
        const rel = relative(consumer.packageDir, target);
        if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(target)) outside.push(`${m}: ${s}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('every subpath export imports in the consumer project, and its declarations type-check there', async () => {
    const script = subpaths.map((p) => `{ const m = await import('${specifier(p)}'); console.log('${p}', Object.keys(m).length); }`).join('\n');
    const res = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer.dir });
    expect(res.stderr).toBe('');
    const counts = res.stdout.trim().split('\n').map((l) => l.split(' '));
    expect(counts.map((c) => c[0])).toEqual(subpaths);
    for (const [p, n] of counts) expect(Number(n), p).toBeGreaterThan(0);
    // Nothing but the snippets' own errors: the packed declarations (and the peers') type-check
    // with skipLibCheck off under strict settings.
    expect(typeErrors.filter((e) => !e.startsWith('snippets/'))).toEqual([]);
  });
});

/** Type errors of one snippet, with the Markdown line they point at. */
function typeErrorsOf(file: string, docLine: number, doc: string): string[] {
  return typeErrors
    .filter((e) => e.startsWith(`snippets/${file}(`))
    .map((e) => e.replace(/^snippets\/[^(]+\((\d+),(\d+)\)/, (_, l: string, c: string) => `${doc}:${docLine + Number(l)}:${c}`));
}

function runSnippet(file: string): Promise<CommandResult> {
  const cwd = join(consumer.dir, 'run', file.replace(/\.\w+$/, ''));
  mkdirSync(cwd, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: 'C.UTF-8',
    // The servers snippets talk to: the OTLP exporters read this; the StatsD snippets read these.
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.url,
    STATSD_HOST: '127.0.0.1',
    STATSD_PORT: String(statsd!.port),
  };
  const out = join(consumer.dir, 'out', 'snippets', file.replace(/\.ts$/, '.js'));
  return run(process.execPath, [out], { cwd, env, timeoutMs: 30_000 });
}

describe('README and docs snippets, run in the consumer project', () => {
  it('finds the snippets (runnable ones in README.md and in docs/)', () => {
    expect(runnable.filter((s) => s.doc === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(runnable.filter((s) => s.doc.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });

  it('every fragment is at least valid TypeScript syntax', () => {
    const broken = all.filter((x) => x.fragment).flatMap((s) => syntaxErrors(s.code).map((e) => `${s.doc}:${s.line} +${e}`));
    expect(broken).toEqual([]);
  });

  describe.concurrent('each runnable snippet type-checks, runs, exits 0 and prints what it claims', () => {
    for (const s of runnable) {
      it(`${s.doc}:${s.line}`, async () => {
        expect(syntaxErrorsByFile.get(s.file)?.map((e) => `${s.doc}:${s.line} +${e}`) ?? []).toEqual([]);
        expect(typeErrorsOf(s.file, s.line, s.doc)).toEqual([]);
        const res = await runSnippet(s.file);
        expect(res.code, `exit code; stderr:\n${res.stderr}`).toBe(0);
        expect(compareOutput('stdout', s.stdout, res.stdout)).toBeUndefined();
        expect(compareOutput('stderr', s.stderr, res.stderr)).toBeUndefined();
      }, 60_000);
    }
  });

  it('the OTel and StatsD snippets really delivered: the receiver got logs, metrics and traces, the daemon counters', async () => {
    expect(runnable.some((s) => s.code.includes('OTLPTraceExporter'))).toBe(true);
    expect(receiver!.bodies.logs.length).toBeGreaterThan(0);
    expect(receiver!.bodies.metrics.length).toBeGreaterThan(0);
    expect(receiver!.bodies.traces.length).toBeGreaterThan(0);
    const counters = await statsd!.read<Record<string, number>>('counters');
    expect(Object.keys(counters).filter((k) => k.includes('jobs.done')).length).toBeGreaterThan(0);
  });
});

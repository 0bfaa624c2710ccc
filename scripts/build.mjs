#!/usr/bin/env node
/**
 * Builds `dist/` from `src/` with tsc (tsconfig.build.json).
 *
 *   node scripts/build.mjs            build
 *   node scripts/build.mjs --clean    remove dist/ first (`prepack`: what ships is exactly src/, compiled)
 *   node scripts/build.mjs --if-stale build only when dist/ is missing or older than an input
 *                                     (`prepare`, `npm run example`)
 *
 * Plain JavaScript on purpose: `prepare` runs when npm installs this package from git, possibly
 * under a Node that cannot run TypeScript files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file under `dir` (recursively), as absolute paths. */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Why dist/ needs a build, or undefined when it is up to date: every source has its output, and
 * no input (src/, the tsconfig files) is newer than the oldest output (tsc rewrites every output).
 */
export function staleReason(dir = root) {
  const sources = walk(join(dir, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const outputs = walk(join(dir, 'dist')).filter((f) => f.endsWith('.js'));
  if (outputs.length === 0) return 'dist/ is missing';
  const outputSet = new Set(outputs);
  for (const s of sources) {
    const out = join(dir, 'dist', relative(join(dir, 'src'), s)).replace(/\.ts$/, '.js');
    if (!outputSet.has(out)) return `${relative(dir, out)} is missing`;
  }
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const inputs = [...sources, join(dir, 'tsconfig.json'), join(dir, 'tsconfig.build.json')];
  for (const i of inputs) if (statSync(i).mtimeMs > oldestOutput) return `${relative(dir, i)} changed`;
  return undefined;
}

/** Runs tsc -p tsconfig.build.json; throws when it fails. */
export function build({ clean = false, dir = root } = {}) {
  if (clean) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(join(dir, 'package.json')).resolve('typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { cwd: dir, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${res.status ?? res.signal})`);
}

/** Builds when {@link staleReason} finds a reason; returns it (undefined: nothing to do). */
export function buildIfStale(dir = root) {
  const reason = staleReason(dir);
  if (reason !== undefined) build({ dir });
  return reason;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--if-stale')) {
      const reason = buildIfStale();
      process.stderr.write(reason === undefined ? 'dist/ is up to date\n' : `built dist/ (${reason})\n`);
    } else {
      build({ clean: args.includes('--clean') });
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

#!/usr/bin/env node
/**
 * Builds `dist/` from `src/` with tsc (tsconfig.build.json).
 *
 *   node scripts/build.mjs                  build
 *   node scripts/build.mjs --clean          remove dist/ first (`prepack`: what ships is exactly src/, compiled)
 *   node scripts/build.mjs --if-stale [DIR] build only when dist/ does not match the sources (`prepare`,
 *                                           `pretest`, `npm run demo`, `npm run example`); DIR defaults
 *                                           to this repository (tests use a small project)
 *
 * Fresh means: the hash of every file under `src/` (names and contents), of the tsconfig files and
 * of the TypeScript version equals the one recorded by the last successful build, and every
 * `src/**\/*.ts` still has its `dist/**\/*.js`. A content hash, not modification times: a checkout
 * or a copy that keeps old times cannot fool it. The record lives in `node_modules/.cache/`, where
 * build tools keep theirs, so it never ships in the package.
 *
 * Plain JavaScript on purpose: `prepare` runs when npm installs this package from git, possibly
 * under a Node that cannot run TypeScript files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const inputs = ['tsconfig.json', 'tsconfig.build.json'];

/** Every file under `dir` (recursively), as sorted absolute paths. */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const recordOf = (dir) => join(dir, 'node_modules', '.cache', 'mvx-common', 'build-hash');

function sourceHash(dir) {
  const hash = createHash('sha256');
  // The compiler's own version: an upgrade may emit differently.
  hash.update(readFileSync(join(dirname(tsc), '..', 'package.json'))).update('\0');
  for (const file of [...inputs.map((f) => join(dir, f)), ...walk(join(dir, 'src'))]) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Why dist/ needs a build, or undefined when it is up to date (see the header). */
export function staleReason(dir = root) {
  const sources = walk(join(dir, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  for (const s of sources) {
    const out = join(dir, 'dist', relative(join(dir, 'src'), s)).replace(/\.ts$/, '.js');
    if (!existsSync(out)) return `${relative(dir, out)} is missing`;
  }
  const record = recordOf(dir);
  const recorded = existsSync(record) ? readFileSync(record, 'utf8').trim() : '';
  if (recorded === '') return 'no build recorded';
  if (recorded !== sourceHash(dir)) return 'sources changed';
  return undefined;
}

/** Runs tsc -p tsconfig.build.json and records the sources' hash; throws when it fails (recording nothing). */
export function build({ clean = false, dir = root } = {}) {
  if (clean) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const hash = sourceHash(dir);
  const res = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { cwd: dir, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${res.status ?? res.signal})`);
  mkdirSync(dirname(recordOf(dir)), { recursive: true });
  writeFileSync(recordOf(dir), `${hash}\n`);
}

/** Builds when {@link staleReason} finds a reason; returns it (undefined: nothing to do). */
export function buildIfStale(dir = root) {
  const reason = staleReason(dir);
  if (reason !== undefined) build({ dir });
  return reason;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const dir = resolve(args.find((a) => !a.startsWith('--')) ?? root);
  try {
    if (args.includes('--if-stale')) {
      const reason = buildIfStale(dir);
      process.stdout.write(reason === undefined ? 'dist/ is up to date with src/ (build skipped; `npm run build` forces one)\n' : `built dist/ (${reason})\n`);
    } else {
      build({ clean: args.includes('--clean'), dir });
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

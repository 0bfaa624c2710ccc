/**
 * `npm run build:if-stale`: runs the build (`tsc -p tsconfig.build.json`) only when `dist/` does
 * not match the sources, so `npm run demo` and `npm test` do not spend ~10 s compiling an
 * unchanged tree on every invocation.
 *
 * Fresh means: the hash of every file under `src/` (names and contents), of the tsconfig files
 * and of the TypeScript version equals the one recorded by the last successful build, and every `src/**\/*.ts` still has
 * its `dist/**\/*.js`. A content hash, not modification times: a checkout or a copy that keeps
 * old times cannot fool it. The record lives in `node_modules/.cache/`, where build tools keep
 * theirs, so it never ships in the package.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

/** The project: this repository, or the directory given as the first argument (tests use a small one). */
const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const record = join(root, 'node_modules', '.cache', 'mvx-common', 'build-hash');
const inputs = ['tsconfig.json', 'tsconfig.build.json'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function sourceHash(tsc: string): string {
  const hash = createHash('sha256');
  // The compiler's own version: an upgrade may emit differently.
  hash.update(readFileSync(join(dirname(tsc), '..', 'package.json'))).update('\0');
  for (const file of [...inputs.map((f) => join(root, f)), ...filesUnder(join(root, 'src'))]) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function outputsPresent(): boolean {
  return filesUnder(join(root, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .every((f) => existsSync(join(root, 'dist', relative(join(root, 'src'), f)).replace(/\.ts$/, '.js')));
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const hash = sourceHash(tsc);
const recorded = existsSync(record) ? readFileSync(record, 'utf8').trim() : '';
if (recorded === hash && outputsPresent()) {
  process.stdout.write('dist/ is up to date with src/ (build skipped; `npm run build` forces one)\n');
} else {
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  mkdirSync(dirname(record), { recursive: true });
  writeFileSync(record, `${hash}\n`);
}

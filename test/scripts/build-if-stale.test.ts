import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs');
const dir = mkdtempSync(join(tmpdir(), 'mvx-build-if-stale-'));
const record = join(dir, 'node_modules', '.cache', 'mvx-common', 'build-hash');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script on the small project in `dir`; `built` tells whether it compiled. */
function run(): { built: boolean; status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, '--if-stale', dir], { encoding: 'utf8' });
  return { built: !r.stdout.includes('up to date'), status: r.status, out: r.stdout + r.stderr };
}

describe('node scripts/build.mjs --if-stale (the build of prepare, `npm test`, `npm run demo` and `npm run example`)', () => {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', target: 'ES2023', strict: true, noEmit: true } }));
  writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, outDir: 'dist', rootDir: 'src' }, include: ['src'] }));
  mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a: number = 1;\n');
  writeFileSync(join(dir, 'src', 'sub', 'b.ts'), 'export const b: string = "b";\n');

  it('builds when nothing was built, and skips tsc when dist/ is fresh', () => {
    const first = run();
    expect(first.status, first.out).toBe(0);
    expect(first.built).toBe(true);
    expect(existsSync(join(dir, 'dist', 'sub', 'b.js'))).toBe(true);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.built).toBe(false);
  });

  it('rebuilds when an output was deleted', () => {
    rmSync(join(dir, 'dist', 'sub', 'b.js'));
    expect(run().built).toBe(true);
    expect(existsSync(join(dir, 'dist', 'sub', 'b.js'))).toBe(true);
    expect(run().built).toBe(false);
  });

  it('rebuilds when a source changes; a failing build fails the script and records nothing', () => {
    const before = readFileSync(record, 'utf8');
    appendFileSync(join(dir, 'src', 'a.ts'), 'export const c: number = "not a number";\n');
    const failed = run();
    expect(failed.built).toBe(true);
    expect(failed.status).not.toBe(0);
    expect(readFileSync(record, 'utf8')).toBe(before); // so the next run builds again
  });
});

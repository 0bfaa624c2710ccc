/**
 * `npm run example -- <name>`, the one command the docs give for every example: it works under
 * whatever Node runs npm (the script runs on the project's Node 24), compiles what Node cannot run
 * (decorators) only when it changed, and every example it lists is run by a test.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listExamples } from '../../scripts/example.ts';
import { root, runExample } from './run-example.ts';

describe('npm run example', () => {
  it('runs through npm with the system Node first on PATH (the script runs on the project Node 24)', async () => {
    // The PATH a shell has: without this checkout's node_modules/.bin (npm test put it first).
    const PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH };
    for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
    const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'example', '--', 'metrics/custom-metric'], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
      );
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('transport.read.attempts.total 5');
  }, 60_000);

  it('lists the examples, and an unknown name exits 2 with the list', async () => {
    const list = await runExample('--help');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('  log-invocation-decorator\n');
    expect(list.stdout).toContain('  metrics/worker-threads\n');
    expect(list.stdout).not.toContain('metrics/document-storage-domain'); // a module the examples import
    const unknown = await runExample('no-such-example');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no example 'no-such-example'");
    expect(unknown.stderr).toContain('  statsd-push\n');
  });

  it('compiles an example with decorators with the TypeScript compiler, and again only after it changed', async () => {
    const out = join(root, '.tmp', 'examples', 'log-invocation-decorator.js');
    rmSync(out, { force: true });
    const first = await runExample('log-invocation-decorator');
    expect(first.code, first.stderr).toBe(0);
    const compiled = readFileSync(out, 'utf8');
    expect(compiled).not.toMatch(/^\s*@logInvocation/m); // lowered by the compiler
    expect(compiled).toContain('__esDecorate');
    const writtenAt = statSync(out).mtimeMs;
    const second = await runExample('log-invocation-decorator');
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(out).mtimeMs).toBe(writtenAt); // not rebuilt: nothing changed
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe('escape returned a string: a\\2ab');
    expect(lines.slice(1).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'app.ldap.ldap.bind [invoke] level=10',
      'app.ldap.ldap.bind [success] level=10',
      'app.ldap.ldap.bind [invoke] level=10',
      'app.ldap.ldap.bind [failed] level=10', // suppressed: DEBUG, no error payload
      'app.ldap.ldap.escape [invoke] level=10',
      'app.ldap.ldap.escape [success] level=10',
    ]);
    expect(lines[1]).toContain('"password":"[REDACTED]"');
    expect(lines[4]).not.toContain('"error"');
  });

  it('every example it lists is run by a test in test/examples/', () => {
    const tests = readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'))
      .join('\n');
    const examples = [...listExamples().keys()];
    expect(examples.length).toBeGreaterThan(10);
    const untested = examples.filter((name) => name !== 'demo' && !tests.includes(`'${name.replace(/^metrics\//, '')}`));
    expect(untested).toEqual([]);
    expect(existsSync(join(import.meta.dirname, 'demo.test.ts'))).toBe(true); // the demo has its own
  });
});

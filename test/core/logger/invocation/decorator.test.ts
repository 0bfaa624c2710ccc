/**
 * The decorator form, through code the TypeScript compiler lowered (Node does not parse decorator
 * syntax and Vitest passes `@decorator` files through untransformed on this set-up).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogLevel } from '../../../../src/core/logger/level.ts';
import type * as Fixture from './fixtures/decorated-directory.ts';
import { harness, settle } from './helpers.ts';
import type { Harness } from './helpers.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'decorated-directory.ts');
const sourceModule = resolve(import.meta.dirname, '../../../../src/core/logger/invocation/log-invocation.ts');
let dir: string;
let compiled: string;
let mod: typeof Fixture;
let h: Harness;

beforeAll(async () => {
  const source = readFileSync(fixture, 'utf8');
  expect(source).toMatch(/^\s*@logInvocation\(/m);
  compiled = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: false },
    fileName: fixture,
  }).outputText;
  // The import of the source module, by absolute file URL (the compiled file lives elsewhere).
  compiled = compiled.replace(/(['"])[./]+\/src\/core\/logger\/invocation\/log-invocation\.ts\1/, JSON.stringify(pathToFileURL(sourceModule).href));
  dir = mkdtempSync(join(tmpdir(), 'mvx-decorator-'));
  const out = join(dir, 'decorated-directory.mjs');
  writeFileSync(out, compiled);
  mod = (await import(/* @vite-ignore */ pathToFileURL(out).href)) as typeof Fixture;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => h?.dispose());

describe('logInvocation as a standard (TC39) method decorator', () => {
  it('the compiler really lowered the decorators (no decorator syntax left, the TC39 helpers used)', () => {
    expect(compiled).not.toMatch(/^\s*@\w/m);
    expect(compiled).toMatch(/__esDecorate/);
    expect(compiled).toContain(pathToFileURL(sourceModule).href);
  });

  it('logs an async method: context and entity id from this, args with redaction, result fields, re-read fields', async () => {
    h = harness();
    const d = new mod.Directory(h.root, 'conn-1');
    const p = d.bind('cn=ann', 'right');
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toEqual({ ok: true });
    await settle();
    expect(h.sink.events.map((e) => [e.outcome, e.level, e.meta.name, e.meta.entityId])).toEqual([
      ['invoke', LogLevel.DEBUG, 'ldap.bind', 'conn-1'],
      ['success', LogLevel.DEBUG, 'ldap.bind', 'conn-1'],
    ]);
    expect(h.byOutcome('invoke').payload).toEqual({ state: 'idle', args: { userDn: 'cn=ann', password: '[REDACTED]' } });
    expect(h.byOutcome('success').payload).toMatchObject({ state: 'bound', result: { ok: true } });
    expect(h.byOutcome('invoke').meta.source).toEqual({ functionName: 'bind' });
  });

  it('applies the error policy of the decorated method', async () => {
    h = harness();
    const d = new mod.Directory(h.root, 'conn-2');
    await expect(d.bind('cn=ann', 'wrong')).rejects.toBeInstanceOf(mod.InvalidCredentials);
    await settle();
    const failed = h.byOutcome('failed');
    expect(failed.level).toBe(LogLevel.DEBUG);
    expect('error' in failed.payload).toBe(false);
  });

  it('keeps sync methods sync, the method name and length, and works on static methods', () => {
    h = harness();
    const d = new mod.Directory(h.root, 'conn-3');
    expect(d.count('a', 'b')).toBe(2);
    expect(h.byOutcome('success').payload.result).toBe(2);
    expect(d.count.name).toBe('count');
    expect(d.bind.name).toBe('bind');
    expect(d.bind.length).toBe(2);
    expect(mod.Directory.ping()).toBe('pong');
    expect(mod.Directory.ping.name).toBe('ping');
  });
});

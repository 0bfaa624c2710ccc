/** Key-based redaction at every depth, in every place a key names a value. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT_KEYS, LogPayloadProcessor } from '../../../../src/index.ts';

const SECRET = 'S3CRET-VALUE';
const p = new LogPayloadProcessor();
const text = (v: unknown): string => JSON.stringify(v);

describe('redaction', () => {
  it('matches case-insensitively, ignoring separators, as a substring', () => {
    const keys = [
      'password',
      'PASSWORD',
      'userPassword',
      'db_passwd',
      'client_secret',
      'clientSecret',
      'access_token',
      'refreshToken',
      'api_key',
      'apiKey',
      'X-API-KEY',
      'Authorization',
      'proxy-authorization',
      'Cookie',
      'set-cookie',
      'private_key',
      'privateKey',
      'sessionId',
      'credentials',
    ];
    for (const k of keys) expect(p.isSensitiveKey(k), k).toBe(true);
    for (const k of ['user', 'id', 'author', 'keyboard', 'passage']) expect(p.isSensitiveKey(k), k).toBe(false);
    expect(p.normalizePayload(Object.fromEntries(keys.map((k) => [k, SECRET])))).toEqual(
      Object.fromEntries(keys.map((k) => [k, '[REDACTED]'])),
    );
  });

  it('applies at every depth, inside arrays, Maps, Sets, errors and class instances', () => {
    class Config {
      readonly db = { host: 'h', password: SECRET };
    }
    const err = Object.assign(new Error('e'), { token: SECRET, nested: { apiKey: SECRET } });
    const payload = {
      a: { b: { c: { d: { secret: SECRET } } } },
      list: [{ password: SECRET }, [{ token: SECRET }]],
      map: new Map<unknown, unknown>([['token', SECRET], ['inner', new Map([['cookie', SECRET]])]]),
      objectKeyed: new Map<unknown, unknown>([[{}, 1], ['authorization', SECRET]]),
      set: new Set([{ password: SECRET }]),
      err,
      cfg: new Config(),
      url: new URL(`https://user:${SECRET}@example.com/p?access_token=${SECRET}&q=1`),
    };
    const out = p.normalizePayload(payload);
    expect(text(out)).not.toContain(SECRET);
    expect(out.url).toBe('https://user:[REDACTED]@example.com/p?access_token=[REDACTED]&q=1');
    expect((out.cfg as { db: unknown }).db).toEqual({ host: 'h', password: '[REDACTED]' });
  });

  it('redacts sensitive parameters in a URL fragment (OAuth implicit flow: #access_token=...)', () => {
    const url = new URL(`https://app.example/cb?state=s1#access_token=${SECRET}&token_type=bearer&expires_in=3600`);
    const out = p.normalizeValueForLog(url);
    expect(out).not.toContain(SECRET);
    // `token_type` contains the fragment `token`: hidden too, as it would be in the query string.
    expect(out).toBe('https://app.example/cb?state=s1#access_token=[REDACTED]&token_type=[REDACTED]&expires_in=3600');
    // A plain fragment (an anchor) is kept as is.
    expect(p.normalizeValueForLog(new URL('https://docs.example/p#section-2'))).toBe('https://docs.example/p#section-2');
    expect(p.normalizeValueForLog(new URL(`https://h/#/route?id_token=${SECRET}`))).toBe('https://h/#/route?id_token=[REDACTED]');
  });

  it('applies to provider and adapter output and through toJSON', () => {
    class Client {
      readonly apiKey = SECRET;
    }
    const q = new LogPayloadProcessor({ adapters: [[Client, (c: Client) => ({ apiKey: c.apiKey, kind: 'client' })]] });
    const provider = { toLogPayload: () => ({ session_id: SECRET, user: 'ann' }) };
    const out = q.normalizePayload({ c: new Client(), provider, j: { toJSON: () => ({ password: SECRET }) } });
    expect(out).toEqual({ c: { apiKey: '[REDACTED]', kind: 'client' }, provider: { session_id: '[REDACTED]', user: 'ann' }, j: { password: '[REDACTED]' } });
  });

  it('redacts whole values of any type, and long sensitive keys that are cut', () => {
    const q = new LogPayloadProcessor({ maxStringLength: 4 });
    expect(q.normalizePayload({ password: { nested: [SECRET] }, tokenWithAVeryLongName: SECRET })).toEqual({
      'pass…[+4 chars]': '[REDACTED]',
      'toke…[+18 chars]': '[REDACTED]',
    });
  });

  it('extends the defaults with strings and RegExps; replace mode uses only the given keys', () => {
    const extended = new LogPayloadProcessor({ redact: { keys: ['ssn', /^x-internal-/i] }, redactedValue: '***' });
    expect(extended.normalizePayload({ SSN: 1, 'X-Internal-Id': 2, password: 3, other: 4 })).toEqual({
      SSN: '***',
      'X-Internal-Id': '***',
      password: '***',
      other: 4,
    });
    const replaced = new LogPayloadProcessor({ redact: { mode: 'replace', keys: ['pin'] } });
    expect(replaced.normalizePayload({ pin: 1, password: 2 })).toEqual({ pin: '[REDACTED]', password: 2 });
    const off = new LogPayloadProcessor({ redact: { mode: 'replace', keys: [] } });
    expect(off.normalizePayload({ password: 2 })).toEqual({ password: 2 });
  });

  it('a global RegExp does not carry lastIndex between keys', () => {
    const q = new LogPayloadProcessor({ redact: { mode: 'replace', keys: [/secret/g] } });
    expect(q.normalizePayload({ secret: 1, 'my-secret': 2, secretive: 3 })).toEqual({
      secret: '[REDACTED]',
      'my-secret': '[REDACTED]',
      secretive: '[REDACTED]',
    });
  });

  it('exposes the default list (frozen)', () => {
    expect(DEFAULT_REDACT_KEYS).toContain('password');
    expect(Object.isFrozen(DEFAULT_REDACT_KEYS)).toBe(true);
  });
});

describe('data source names', () => {
  it('redacts DSNs (they carry credentials: postgres://user:pass@host, Sentry keys) under any spelling', () => {
    const p = new LogPayloadProcessor();
    const out = p.normalizePayload({ dsn: 'postgres://app:hunter2@db/app', SENTRY_DSN: 'https://k3y@o1.ingest.example/1', databaseDsn: 'x', host: 'db' });
    expect(out).toEqual({ dsn: '[REDACTED]', SENTRY_DSN: '[REDACTED]', databaseDsn: '[REDACTED]', host: 'db' });
  });
});

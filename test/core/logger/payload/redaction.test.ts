/** Key-based redaction at every depth, in every place a key names a value. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT_KEYS, LogPayloadProcessor } from '../../../../src/index.ts';

const SECRET = 'S3CRET-VALUE';
const p = new LogPayloadProcessor();
const text = (v: unknown): string => JSON.stringify(v);

describe('redaction', () => {
  it('matches key words (split on case and separators) against the list, case-insensitively', () => {
    const keys = [
      'password',
      'PASSWORD',
      'userPassword',
      'db_passwd',
      'auth.pass',
      'smtp_pass',
      'client_secret',
      'clientSecret',
      'clientsecret',
      'access_token',
      'accessToken',
      'AccessToken',
      'accesstoken',
      'refreshToken',
      'x-auth-token',
      'GITHUB_TOKEN',
      'api_key',
      'apiKey',
      'apikey',
      'APIKey',
      'X-API-KEY',
      'x-api-key',
      'stripeApiKey',
      'Authorization',
      'proxy-authorization',
      'Cookie',
      'set-cookie',
      'Set-Cookie',
      'private_key',
      'privateKey',
      'AWS_SECRET_ACCESS_KEY',
      'sessionId',
      'session_id',
      'credentials',
      'password2',
      'X-Amz-Signature',
      'sentry dsn',
    ];
    for (const k of keys) expect(p.isSensitiveKey(k), k).toBe(true);
    const plain = [
      'user',
      'id',
      'author',
      'keyboard',
      'passage',
      'passenger',
      'bypass',
      'compass',
      'max_tokens',
      'maxTokens',
      'prompt_tokens',
      'tokenizer',
      'signature_valid',
      'signatureValid',
      'secretary',
      'cookiecutter',
      'oauthProvider',
      'key',
      'cache_key',
    ];
    for (const k of plain) expect(p.isSensitiveKey(k), k).toBe(false);
    expect(p.normalizePayload(Object.fromEntries(keys.map((k) => [k, SECRET])))).toEqual(
      Object.fromEntries(keys.map((k) => [k, '[REDACTED]'])),
    );
    expect(p.normalizePayload({ max_tokens: 256, tokenizer: 'cl100k', signature_valid: true })).toEqual({
      max_tokens: 256,
      tokenizer: 'cl100k',
      signature_valid: true,
    });
  });

  it('plurals are entries of their own: passwords, secrets, cookies, api_keys and access_tokens are listed; tokens is not', () => {
    for (const k of ['passwords', 'secrets', 'cookies', 'credentials', 'api_keys', 'apiKeys', 'access_tokens', 'refreshTokens']) {
      expect(p.isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ['tokens', 'total_tokens', 'tokensUsed']) expect(p.isSensitiveKey(k), k).toBe(false);
    const q = new LogPayloadProcessor({ redact: { keys: ['tokens'] } });
    expect(q.isSensitiveKey('tokens')).toBe(true);
    expect(q.isSensitiveKey('max_tokens')).toBe(true);
  });

  it('a user entry matches words too; a RegExp entry matches the key as written (for substrings)', () => {
    const q = new LogPayloadProcessor({ redact: { mode: 'replace', keys: ['ssn', 'national id', /secret/i] } });
    for (const k of ['ssn', 'SSN', 'userSsn', 'user_ssn', 'nationalId', 'national-id', 'NATIONAL_ID', 'nationalid', 'topsecretvalue']) {
      expect(q.isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ['lessnotes', 'national', 'id', 'password']) expect(q.isSensitiveKey(k), k).toBe(false);
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
    expect(out.url).toBe('https://[REDACTED]@example.com/p?access_token=[REDACTED]&q=1');
    expect((out.cfg as { db: unknown }).db).toEqual({ host: 'h', password: '[REDACTED]' });
  });

  it('redacts sensitive parameters in a URL fragment (OAuth implicit flow: #access_token=...)', () => {
    const url = new URL(`https://app.example/cb?state=s1#access_token=${SECRET}&token_type=bearer&expires_in=3600`);
    const out = p.normalizeValueForLog(url);
    expect(out).not.toContain(SECRET);
    // `token_type` has the word `token`: hidden too, as it would be in the query string.
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

  it('a Map key that is a String object (or a Symbol) is matched like the string', () => {
    const map = new Map<unknown, unknown>([
      [new String('password'), SECRET],
      [Symbol('apiKey'), SECRET],
      [new String('user'), 'ann'],
    ]);
    const out = p.normalizeValueForLog(map);
    expect(text(out)).not.toContain(SECRET);
    expect(out).toEqual([
      ['password', '[REDACTED]'],
      ['Symbol(apiKey)', '[REDACTED]'],
      ['user', 'ann'],
    ]);
    expect(p.normalizeValueForLog(new Map<unknown, unknown>([[Symbol('token'), SECRET]]))).toEqual({ 'Symbol(token)': '[REDACTED]' });
  });

  it('the fixed error fields (name, message, code, stack) are redacted when their key is sensitive', () => {
    const q = new LogPayloadProcessor({ redact: { keys: ['code', 'name'] } });
    class OAuthError extends Error {
      override name = `OAuthError ${SECRET}`;
      code = SECRET;
    }
    const out = q.normalizeError(new OAuthError('exchange failed'));
    expect(text(out)).not.toContain(SECRET);
    expect(out).toMatchObject({ type: 'OAuthError', name: '[REDACTED]', code: '[REDACTED]', message: 'exchange failed', stack: '[REDACTED]' });
    const r = new LogPayloadProcessor({ redact: { keys: ['message'] } });
    const hidden = r.normalizeError(new Error(SECRET));
    expect(text(hidden)).not.toContain(SECRET);
    expect(hidden).toMatchObject({ type: 'Error', message: '[REDACTED]', stack: '[REDACTED]' });
  });

  it('docs/payload-processor.md: extending and shrinking the list', () => {
    // The snippet of the "Redaction" section, as written there.
    const extended = new LogPayloadProcessor({ redact: { keys: ['ssn', 'national id', /^x-internal-/i] } });
    const shrunk = new LogPayloadProcessor({ redact: { mode: 'replace', keys: DEFAULT_REDACT_KEYS.filter((k) => k !== 'auth') } });
    expect(extended.normalizePayload({ userSsn: 1, nationalId: 2, 'X-Internal-Trace': 3, password: 4, plan: 5 })).toEqual({
      userSsn: '[REDACTED]',
      nationalId: '[REDACTED]',
      'X-Internal-Trace': '[REDACTED]',
      password: '[REDACTED]',
      plan: 5,
    });
    expect(p.normalizePayload({ authMethod: 'oidc' })).toEqual({ authMethod: '[REDACTED]' });
    expect(shrunk.normalizePayload({ authMethod: 'oidc', authProvider: 'google', authorization: 'x', password: 'y' })).toEqual({
      authMethod: 'oidc',
      authProvider: 'google',
      authorization: '[REDACTED]',
      password: '[REDACTED]',
    });
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

describe('URLs', () => {
  it('the whole user-info is redacted: a user name alone is the credential in token URLs and DSNs', () => {
    const cases: [string, string][] = [
      [`https://${SECRET}@example.com/x`, 'https://[REDACTED]@example.com/x'],
      [`https://${SECRET}@o123.ingest.sentry.io/42`, 'https://[REDACTED]@o123.ingest.sentry.io/42'],
      [`https://x-access-token:${SECRET}@github.com/org/repo.git`, 'https://[REDACTED]@github.com/org/repo.git'],
      [`https://${SECRET}:x-oauth-basic@github.com/org/repo.git`, 'https://[REDACTED]@github.com/org/repo.git'],
      [`postgres://app:${SECRET}@db:5432/app`, 'postgres://[REDACTED]@db:5432/app'],
    ];
    for (const [url, expected] of cases) {
      expect(p.normalizeValueForLog(new URL(url)), url).toBe(expected);
      // The same text as a string value (a URL kept in configuration, a DSN under a neutral key).
      expect(p.normalizeValueForLog(url), url).toBe(expected);
    }
    expect(p.normalizeValueForLog(new URL('https://example.com/a@b?q=1'))).toBe('https://example.com/a@b?q=1');
    expect(p.normalizeValueForLog('https://example.com/a@b')).toBe('https://example.com/a@b');
  });

  it('query parameters separated by ";" are matched like those separated by "&"', () => {
    const url = `https://h.example/p?a=1;access_token=${SECRET};b=2&api_key=${SECRET}`;
    const expected = 'https://h.example/p?a=1;access_token=[REDACTED];b=2&api_key=[REDACTED]';
    expect(p.normalizeValueForLog(new URL(url))).toBe(expected);
    expect(p.normalizeValueForLog(url)).toBe(expected);
  });

  it('a string that is a URL or a request path with a query is redacted like a URL object; other text is not searched', () => {
    expect(p.normalizePayload({ url: `/login?user=ann&token=${SECRET}` })).toEqual({ url: '/login?user=ann&token=[REDACTED]' });
    expect(p.normalizePayload({ cb: `myapp://cb#access_token=${SECRET}` })).toEqual({ cb: 'myapp://cb#access_token=[REDACTED]' });
    // Free text is out of scope: a URL inside a sentence is not found.
    expect(p.normalizeValueForLog(`see https://${SECRET}@h/x`)).toContain(SECRET);
  });

  it('a URL string cut inside its user-info never shows part of it', () => {
    const q = new LogPayloadProcessor({ maxStringLength: 20 });
    const out = q.normalizeValueForLog(`https://${SECRET}${SECRET}@example.com/`);
    expect(out).not.toContain(SECRET.slice(0, 4));
    expect(out).toMatch(/^https:\/\/\[REDACTED\]/);
  });
});

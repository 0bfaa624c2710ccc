/**
 * `logInvocation` as a standard (TC39) method decorator, as TypeScript 5+ compiles it. Node cannot
 * run decorator syntax, so `npm run example -- log-invocation-decorator` compiles this file with
 * the TypeScript compiler first (into `.tmp/examples/`, again only after it changes). The wrapper
 * form, `logInvocation(options)(fn)`, needs no compiler: see `log-invocation.ts`.
 */
import { LogLevel, MemorySink, configureLogContext, getLogContext, logInvocation } from 'mvx-common';

class InvalidCredentials extends Error {
  override name = 'InvalidCredentials';
}

class LdapClient {
  readonly entityId = 'ldap://directory.example'; // becomes meta.entityId
  readonly logContext = getLogContext('app.ldap'); // where the events go

  @logInvocation({
    event: 'ldap.bind',
    params: ['userDn', 'password'],
    args: ['userDn', 'password'], // the password is redacted by the payload processor
    result: ['ok'],
    errors: [{ error: InvalidCredentials, log: 'suppressed' }], // expected: DEBUG, no error payload
  })
  async bind(userDn: string, password: string): Promise<{ ok: boolean }> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (password !== 'correct horse') throw new InvalidCredentials('invalid credentials');
    return { ok: true };
  }

  // A sync method stays sync.
  @logInvocation({ event: 'ldap.escape', params: ['value'], args: ['size=value.len()'], result: true })
  escape(value: string): string {
    return value.replace(/[*()\\]/g, (c) => `\\${c.charCodeAt(0).toString(16)}`);
  }
}

const sink = new MemorySink();
configureLogContext('app', { sink, minLevel: LogLevel.DEBUG });
const client = new LdapClient();

await client.bind('cn=ann', 'correct horse');
await client.bind('cn=bob', 'wrong').catch(() => undefined);
const escaped = client.escape('a*b');
process.stdout.write(`escape returned a ${typeof escaped}: ${escaped}\n`);

for (const e of sink.events) {
  process.stdout.write(
    `${e.meta.namespace}.${e.meta.name} [${e.outcome}] level=${e.level} entity=${e.meta.entityId ?? '-'} ` +
      `${JSON.stringify(e.payload, (k, v) => (k === 'durationMs' ? 'n' : v))}\n`,
  );
}

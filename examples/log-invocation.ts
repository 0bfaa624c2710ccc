/**
 * `logInvocation`: an operation's lifecycle as structured events (`invoke`, then `success`,
 * `failed` or `cancelled`, with `durationMs`). Run: `npm run example -- log-invocation`.
 *
 * This file uses the wrapper form, which needs no compiler. With TypeScript 5+ the same options
 * work as a standard method decorator: see `log-invocation-decorator.ts`.
 */
import { LogLevel, MemorySink, configureLogContext, getLogContext, logInvocation } from 'mvx-common';

class InvalidCredentials extends Error {
  override name = 'InvalidCredentials';
}

class LdapClient {
  readonly entityId = 'ldap://directory.example';
  readonly logContext = getLogContext('app.ldap');
  state = 'closed';

  bind = logInvocation<LdapClient>({
    event: 'ldap.bind',
    params: ['request'],
    args: ['userDn=request.userDn', 'password=request.password'], // redacted by the processor
    result: ['ok'],
    fields: ['state'], // re-read for each outcome
    errors: [{ error: InvalidCredentials, log: 'suppressed' }], // expected: no error payload
  })(async function bind(this: LdapClient, request: { userDn: string; password: string }, signal?: AbortSignal) {
    this.state = 'binding';
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, 5);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(signal.reason);
      });
    });
    if (request.password !== 'correct horse') throw new InvalidCredentials('invalid credentials');
    this.state = 'bound';
    return { ok: true };
  });
}

const sink = new MemorySink();
configureLogContext('app', { sink, minLevel: LogLevel.DEBUG });
const client = new LdapClient();

await client.bind({ userDn: 'cn=ann', password: 'correct horse' });
await client.bind({ userDn: 'cn=bob', password: 'wrong' }).catch(() => undefined);
const controller = new AbortController();
const pending = client.bind({ userDn: 'cn=eve', password: 'x' }, controller.signal).catch(() => undefined);
controller.abort();
await pending;

// A plain function: sync stays sync, and the result shape is untouched.
const parse = logInvocation({ event: 'config.parse', context: 'app.config', params: ['text'], args: ['size=text.len()'], result: true })(
  (text: string) => JSON.parse(text) as unknown,
);
parse('{"port": 8080}');

for (const e of sink.events) {
  process.stdout.write(
    `${e.meta.namespace}.${e.meta.name} [${e.outcome}] level=${e.level} entity=${e.meta.entityId ?? '-'} ` +
      `${JSON.stringify(e.payload, (k, v) => (k === 'durationMs' ? 'n' : v))}\n`,
  );
}

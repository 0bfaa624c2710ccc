/**
 * Logger quick start: events, not strings. Run: `npm run example -- logger-quick-start`.
 *
 * A root context exists at import (console on stderr, INFO, the default payload processor), so
 * the first line works with no setup. Then: a namespace tree that inherits settings, a level gate,
 * a payload built only when the event is enabled, and a test sink.
 */
import { LogLevel, MemorySink, configureLogContext, getLogContext } from 'mvx-common';

// 1. No setup: the root's console sink prints this on stderr.
getLogContext('app').info('started', { pid: process.pid, node: process.version });

// 2. Configure a subtree: every context under `app.db` inherits this sink and minimum level.
const captured = new MemorySink();
configureLogContext('app.db', { sink: captured, minLevel: LogLevel.DEBUG });
const db = getLogContext('app.db.pool');

db.debug('connection.opened', { host: 'db-1', port: 5432, password: 'hunter2' }, { entityId: 'conn-7' });
db.warning('connection.slow', { elapsedMs: 812.4 }, { entityId: 'conn-7' });

// 3. A payload given as a function is built only when the event is enabled.
let built = 0;
getLogContext('app').debug('cache.dump', () => {
  built++;
  return { entries: 10_000 };
}); // `app` is at INFO: disabled, the function is never called

// 4. What the sink received: finished, normalised, redacted events.
for (const e of captured.events) {
  process.stdout.write(`${e.meta.namespace}.${e.meta.name} level=${e.level} entity=${e.meta.entityId} payload=${JSON.stringify(e.payload)}\n`);
}
process.stdout.write(`disabled payload built ${built} times\n`);

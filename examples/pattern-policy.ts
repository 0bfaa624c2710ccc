/**
 * Width from a JSON file: a `PatternLogEventPolicy` with ordered allow/deny rules on the event's
 * metadata, level and outcome. Run: `npm run example -- pattern-policy`.
 *
 * The first matching rule decides; no match falls back to `defaultEnabled`. Invalid JSON config
 * is rejected at once with an error naming the path (`rules[1].namespaces[0]`).
 */
import { readFileSync } from 'node:fs';
import { LogLevel, MemorySink, PatternLogEventPolicy, configureLogContext, getLogContext, isMvxError } from 'mvx-common';

const policy = PatternLogEventPolicy.fromConfig(JSON.parse(readFileSync(new URL('./pattern-policy.json', import.meta.url), 'utf8')));
const sink = new MemorySink();
configureLogContext('app', { sink, policy, minLevel: LogLevel.DEBUG });

const http = getLogContext('app.http');
http.info('request', { path: '/orders' }); // allowed by default
getLogContext('app.http.health').info('request', { path: '/health' }); // denied: health checks
http.debug('cache.hit', { key: 'k1' }); // denied: cache.* at INFO or below
http.debug('cache.hit', { key: 'k2' }, { entityId: 'tenant-42' }); // allowed: the tenant under investigation
http.error('request', { path: '/pay' }, { outcome: 'failed' }); // allowed

for (const e of sink.events) process.stdout.write(`logged ${e.meta.namespace}.${e.meta.name} ${JSON.stringify(e.payload)}\n`);
process.stdout.write(`isEnabled('cache.hit', DEBUG) = ${http.isEnabled('cache.hit', LogLevel.DEBUG)}\n`);

// A broken configuration fails at once, naming the offending path.
try {
  PatternLogEventPolicy.fromConfig({ rules: [{ action: 'allow' }, { action: 'deny', namespaces: [''] }] });
} catch (err) {
  if (isMvxError(err)) process.stdout.write(`rejected: ${err.message}\n`);
}

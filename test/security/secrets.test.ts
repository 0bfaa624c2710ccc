/**
 * Issue 10, secrets: values under sensitive keys, at any depth, in arrays, Map keys, error fields,
 * logInvocation arguments and results, never reach any sink. Checked on what each sink and adapter
 * really produced: console bytes, file lines, memory events, OTel log records and span attributes,
 * and a Prometheus scrape (labels come from declared metric attributes, never from payloads).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtelLogSink } from '../../src/adapters/otel-logs/index.ts';
import { registerOtelTracing } from '../../src/adapters/otel-trace/index.ts';
import { createPrometheusBridge } from '../../src/adapters/prometheus/index.ts';
import {
  AsyncMetricsRecorder,
  ConsoleSink,
  CounterMetric,
  FileSink,
  LogContext,
  LogPayloadProcessor,
  MemorySink,
  MultiSink,
  configureDiagnostics,
  logInvocation,
} from '../../src/index.ts';

/** Every secret is unique, so a leak names where it came from. */
const S = {
  topLevel: 'S3CR3T-top-level-password',
  deep: 'S3CR3T-deep-api-key',
  inArray: 'S3CR3T-token-in-array',
  mapKey: 'S3CR3T-value-under-map-key',
  errorField: 'S3CR3T-error-own-field',
  causeField: 'S3CR3T-error-cause-field',
  argument: 'S3CR3T-invocation-argument',
  argumentNested: 'S3CR3T-invocation-argument-nested',
  result: 'S3CR3T-invocation-result',
  header: 'S3CR3T-authorization-header',
  cookie: 'S3CR3T-cookie',
  urlPassword: 'S3CR3T-url-password',
  metricEvent: 'S3CR3T-metric-event-field',
  urlUserName: 'S3CR3T-url-user-name-token',
  sentryDsn: 'S3CR3T-sentry-dsn-key',
  gitRemote: 'S3CR3T-git-remote-token',
  semicolonParam: 'S3CR3T-semicolon-query-param',
  stringObjectKey: 'S3CR3T-under-string-object-map-key',
  requestPath: 'S3CR3T-request-path-query',
  errorCode: 'S3CR3T-oauth-code-in-error',
};

class AuthError extends Error {
  clientSecret = S.errorField;
  override name = 'AuthError';
}

let dir: string;
const consoleOut: string[] = [];
let file: FileSink;
const memory = new MemorySink();
const otelLogs = new InMemoryLogRecordExporter();
const spans = new InMemorySpanExporter();
let loggerProvider: LoggerProvider;
let tracerProvider: TracerProvider;
let stopTracing: () => void;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  configureDiagnostics({ stderr: 'off' });
  context.setGlobalContextManager(contextManager.enable());
  dir = mkdtempSync(join(tmpdir(), 'mvx-secrets-'));
  file = new FileSink({ path: join(dir, 'app.log') });
  loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: otelLogs })] });
  tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  stopTracing = registerOtelTracing({ tracerProvider });

  const sink = new MultiSink([
    new ConsoleSink({ stream: { write: (line: string) => consoleOut.push(line), isTTY: false }, format: 'json' }),
    new ConsoleSink({ stream: { write: (line: string) => consoleOut.push(line), isTTY: true }, format: 'readable' }),
    file,
    memory,
    new OtelLogSink({ loggerProvider }),
  ]);
  const ctx = new LogContext({ namespace: 'app', sink, payloadProcessor: new LogPayloadProcessor({ verbosity: 'MAXIMUM' }), minLevel: 0 });

  // 1. Plain events: top level, deep, arrays, Map keys, error fields and causes, headers, URLs.
  const cause = Object.assign(new Error('upstream'), { accessToken: S.causeField });
  const err = new AuthError('login failed', { cause });
  ctx.info('request', {
    user: 'ann',
    password: S.topLevel,
    config: { db: { replicas: [{ host: 'db-1', apiKey: S.deep }] } },
    attempts: [{ token: S.inArray }, 'plain'],
    credentials: new Map<unknown, unknown>([
      ['session_id', S.mapKey],
      [{ not: 'a primitive key' }, 'ok'],
    ]),
    headers: { Authorization: `Bearer ${S.header}`, Cookie: `sid=${S.cookie}`, accept: 'json' },
    callback: new URL(`https://ann:${S.urlPassword}@example.com/cb?x=1`),
    // Credentials in URL user names, `;`-separated parameters, a boxed String Map key, a request path.
    webhook: new URL(`https://${S.urlUserName}@hooks.example.com/in`),
    sentry: `https://${S.sentryDsn}@o1.ingest.sentry.io/42`,
    remote: `https://${S.gitRemote}@github.com/org/repo.git`,
    legacy: new URL(`https://h.example/cb?a=1;access_token=${S.semicolonParam};b=2`),
    boxed: new Map<unknown, unknown>([[new String('password'), S.stringObjectKey]]),
    path: `/login?user=ann&token=${S.requestPath}`,
  });
  ctx.error('login.failed', { error: err }, { outcome: 'failed' });

  // 2. logInvocation: arguments (named, nested) and results, on success and failure.
  const login = logInvocation({ event: 'auth.login', context: ctx, params: ['req'], args: ['req'], result: true })(
    async (req: { user: string; password: string; extra: { refresh_token: string } }) => {
      ctx.debug('auth.inside', { req });
      return { user: req.user, sessionToken: S.result };
    },
  );
  await login({ user: 'ann', password: S.argument, extra: { refresh_token: S.argumentNested } });
  const failing = logInvocation({ event: 'auth.refresh', context: ctx, params: ['secret'], args: ['secret'] })(async (_secret: string) => {
    throw err;
  });
  await failing(S.argument).catch(() => undefined);

  // 3. An application that also redacts `code` (OAuth authorization codes): the error's own `code`
  // (a fixed field of the error shape) is redacted like any field under that key.
  const oauth = new LogContext({
    namespace: 'oauth',
    sink,
    payloadProcessor: new LogPayloadProcessor({ verbosity: 'MAXIMUM', redact: { keys: ['code'] } }),
    minLevel: 0,
  });
  oauth.error('exchange.failed', { error: Object.assign(new Error('exchange failed'), { code: S.errorCode }), code: S.errorCode });
  await file.shutdown({ timeoutMs: 5000 });
  await loggerProvider.forceFlush();
});

afterAll(async () => {
  stopTracing();
  await Promise.all([loggerProvider.shutdown(), tracerProvider.shutdown()]);
  context.disable();
});

function leaks(text: string): string[] {
  return Object.entries(S)
    .filter(([, secret]) => text.includes(secret))
    .map(([where]) => where);
}

describe('secrets never reach a sink or an adapter', () => {
  it('the sinks really received the events (so the checks below are not vacuous)', () => {
    expect(memory.events.map((e) => `${e.meta.name}:${e.outcome ?? ''}`)).toEqual(
      expect.arrayContaining(['request:', 'login.failed:failed', 'auth.login:invoke', 'auth.login:success', 'auth.refresh:failed', 'auth.inside:']),
    );
    expect(consoleOut.join('')).toContain('"user":"ann"');
    expect(readFileSync(join(dir, 'app.log'), 'utf8')).toContain('db-1');
    expect(otelLogs.getFinishedLogRecords().length).toBe(memory.events.length);
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(expect.arrayContaining(['app.auth.login', 'app.auth.refresh']));
  });

  it('console output (JSON and readable) holds none of them', () => {
    expect(leaks(consoleOut.join(''))).toEqual([]);
    expect(consoleOut.join('')).toContain('[REDACTED]');
  });

  it('the file holds none of them', () => {
    expect(leaks(readFileSync(join(dir, 'app.log'), 'utf8'))).toEqual([]);
  });

  it('the memory sink events hold none of them', () => {
    expect(leaks(JSON.stringify(memory.events))).toEqual([]);
  });

  it('OTel log records (attributes, body, exception fields) hold none of them', () => {
    const records = otelLogs.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes, eventName: r.eventName }));
    expect(leaks(JSON.stringify(records))).toEqual([]);
  });

  it('OTel span attributes, names and status hold none of them', () => {
    const seen = spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }));
    expect(leaks(JSON.stringify(seen))).toEqual([]);
  });

  it('Prometheus labels come from declared metric attributes only, never from other event fields', async () => {
    type Login = { type: 'auth.login'; outcome: string; password: string };
    const recorder = new AsyncMetricsRecorder<Login>({ id: 'secrets' });
    recorder.registerMetric(new CounterMetric<Login>({ name: 'auth.logins', eventTypes: 'auth.login', attributes: ['outcome'] }));
    const registry = new Registry();
    createPrometheusBridge(recorder, { registry });
    recorder.emit({ type: 'auth.login', outcome: 'success', password: S.metricEvent });
    const text = await registry.metrics();
    expect(text).toContain('auth_logins_total{outcome="success"} 1');
    expect(leaks(text)).toEqual([]);
    await recorder.stop();
  });
});

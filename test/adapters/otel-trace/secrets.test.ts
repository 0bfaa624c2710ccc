/**
 * Secrets (issue 10): values under sensitive keys, at any depth, in arguments, results, error
 * fields and plain payloads never reach OpenTelemetry: checked on everything the SDKs export
 * (log record attributes and bodies, span attributes, events and status).
 */
import { describe, expect, it } from 'vitest';
import { OtelLogSink } from '../../../src/adapters/otel-logs/index.ts';
import { registerOtelTracing } from '../../../src/adapters/otel-trace/index.ts';
import { LogContext, logInvocation, LogPayloadProcessor } from '../../../src/index.ts';
import { inMemoryOtel, useOtelAsyncContext } from '../otel-support.ts';

const SECRETS = ['S3CRET-pw-1', 'S3CRET-tok-2', 'S3CRET-key-3', 'S3CRET-err-4', 'S3CRET-map-5', 'S3CRET-arr-6', 'S3CRET-res-7'];

useOtelAsyncContext();

describe('no secret reaches the OTel adapters', () => {
  it('redacts sensitive keys at any depth in log attributes and span attributes', async () => {
    const otel = inMemoryOtel();
    const { logs, loggerProvider, spans, tracerProvider } = otel;
    const stop = registerOtelTracing({ tracerProvider, recordException: true });
    const root = new LogContext({ namespace: 'sec', sink: new OtelLogSink({ loggerProvider }), payloadProcessor: new LogPayloadProcessor(), minLevel: 'DEBUG' });
    try {
      class AuthError extends Error {
        override name = 'AuthError';
        accessToken = SECRETS[3];
      }
      const login = logInvocation({ event: 'login', context: root, params: ['form', 'options'], args: ['form', 'options'], result: true })(
        async (form: { user: string; password: string; nested: { token: string } }, options: { headers: Map<string, string>; list: { apiKey: string }[] }) => {
          root.info('attempt', { user: form.user, password: form.password, deep: { a: { b: { secret: form.nested.token } } } });
          if (options.list.length > 1) throw new AuthError('denied');
          return { ok: true, sessionToken: SECRETS[6] };
        },
      );
      const form = { user: 'ann', password: SECRETS[0]!, nested: { token: SECRETS[1]! } };
      const headers = new Map([['authorization', SECRETS[4]!]]);
      await login(form, { headers, list: [{ apiKey: SECRETS[2]! }] });
      await login(form, { headers, list: [{ apiKey: SECRETS[5]! }, { apiKey: SECRETS[2]! }] }).catch(() => undefined);

      const exportedLogs = logs.getFinishedLogRecords();
      const exportedSpans = spans.getFinishedSpans();
      expect(exportedLogs.length).toBeGreaterThanOrEqual(6);
      expect(exportedSpans).toHaveLength(2);
      const text = JSON.stringify({
        logs: exportedLogs.map((r) => ({ body: r.body, attributes: r.attributes, eventName: r.eventName })),
        spans: exportedSpans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
      });
      // The fields are there (redacted), so the check looks at the right places.
      expect(text).toContain('"user":"ann"');
      expect(text).toContain('"args.form.user":"ann"');
      expect(text).toContain('AuthError');
      for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    } finally {
      stop();
      await otel.shutdown();
    }
  });
});

/**
 * Setup shared by the OpenTelemetry adapter tests: the async context manager the SDKs need to
 * follow spans across `await`, and in-memory log and trace pipelines to read what was exported.
 */
import * as otelApi from '@opentelemetry/api';
import { context } from '@opentelemetry/api';
import { SeverityNumber as ApiLogsSeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll } from 'vitest';
import { configureDiagnostics } from '../../src/index.ts';

/**
 * The OpenTelemetry JS line the tests run against: `current` (api >= 1.10, which holds the logs
 * API; sdk 3.x) with the root install, `previous` (api 1.9 + api-logs; sdk 2.x / 0.2xx) under
 * `npm run test:otel-compat`. Tests of what exists on one line only are conditioned on it.
 */
export const OTEL_LINE: 'current' | 'previous' = (otelApi as { logs?: unknown }).logs === undefined ? 'previous' : 'current';

/** The line's severity numbers: `@opentelemetry/api` >= 1.10 has them, else `@opentelemetry/api-logs` (same values). */
export const SeverityNumber: typeof ApiLogsSeverityNumber =
  (otelApi as { SeverityNumber?: typeof ApiLogsSeverityNumber }).SeverityNumber ?? ApiLogsSeverityNumber;

/**
 * For the calling test file: silences the diagnostics' stderr output and installs an
 * `AsyncLocalStorageContextManager` as the global OTel context manager before its tests, and
 * disables it after them. Call once at module level.
 */
export function useOtelAsyncContext(): void {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    configureDiagnostics({ stderr: 'off' });
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });
}

/** A LoggerProvider and a TracerProvider exporting synchronously to in-memory exporters. */
export interface InMemoryOtel {
  readonly logs: InMemoryLogRecordExporter;
  readonly loggerProvider: LoggerProvider;
  readonly spans: InMemorySpanExporter;
  readonly tracerProvider: TracerProvider;
  /** Shuts down the logger provider, then the tracer provider. */
  shutdown(): Promise<void>;
}

/** New in-memory log and trace pipelines (simple processors: records and spans are exported at once). */
export function inMemoryOtel(): InMemoryOtel {
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  return {
    logs,
    loggerProvider,
    spans,
    tracerProvider,
    async shutdown() {
      await loggerProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

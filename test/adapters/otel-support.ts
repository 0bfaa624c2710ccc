/**
 * Setup shared by the OpenTelemetry adapter tests: the async context manager the SDKs need to
 * follow spans across `await`, and in-memory log and trace pipelines to read what was exported.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll } from 'vitest';
import { configureDiagnostics } from '../../src/index.ts';

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

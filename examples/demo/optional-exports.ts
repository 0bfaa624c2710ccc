/**
 * Exports that switch on from the environment, so the same demo feeds the
 * `docker-compose.otel.yml` stack: OTLP (logs, metrics, spans) when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set, StatsD when `STATSD_HOST` is set. The backend libraries are imported only then.
 */
import type { AsyncMetricsRecorder, LogSink } from 'mvx-common';
import type { DemoConfig } from './config.ts';
import type { DeliveryReport } from './export-accounting.ts';
import type { DemoMetricEvent } from './service.ts';

export interface OptionalExports {
  /** Extra log sinks (the OTel log sink). */
  readonly logSinks: LogSink[];
  /** What is on, for the `started` event. */
  readonly describe: Record<string, string>;
  /** One report per extra delivery path, for the summary; final after `shutdown()`. */
  delivery(): DeliveryReport[];
  /** Flushes and closes everything it started, each path within `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

export async function startOptionalExports(config: DemoConfig, metrics: AsyncMetricsRecorder<DemoMetricEvent>): Promise<OptionalExports> {
  const logSinks: LogSink[] = [];
  const describe: Record<string, string> = {};
  const reports: (() => DeliveryReport[])[] = [];
  const closers: ((timeoutMs: number) => Promise<unknown>)[] = [];

  if (config.otlpEndpoint) {
    const otel = await import('./otel-setup.ts');
    const setup = otel.startOtel(config.otlpEndpoint, metrics, config.otlpTimeoutMs);
    logSinks.push(setup.logSink);
    describe.otlp = config.otlpEndpoint;
    reports.push(setup.delivery);
    closers.push(setup.shutdown);
  }
  if (config.statsdHost) {
    const statsd = await import('./statsd-setup.ts');
    const setup = statsd.startStatsd(config.statsdHost, config.statsdPort, metrics);
    describe.statsd = `${config.statsdHost}:${config.statsdPort}`;
    reports.push(() => [setup.delivery()]);
    closers.push(setup.shutdown);
  }
  let closing: Promise<void> | undefined;
  return {
    logSinks,
    describe,
    delivery: () => reports.flatMap((r) => r()),
    shutdown: (timeoutMs) => (closing ??= Promise.allSettled(closers.map((close) => close(timeoutMs))).then(() => undefined)),
  };
}

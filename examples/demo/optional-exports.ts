/**
 * Exports that switch on from the environment, so the same demo feeds the
 * `docker-compose.otel.yml` stack: OTLP (logs, metrics, spans) when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set, StatsD when `STATSD_HOST` is set. The backend libraries are imported only then.
 */
import type { AsyncMetricsRecorder, LogSink } from 'mvx-common';
import type { DemoConfig } from './config.ts';
import type { DemoMetricEvent } from './service.ts';

export interface OptionalExports {
  /** Extra log sinks (the OTel log sink). */
  readonly logSinks: LogSink[];
  /** What is on, for the `started` event. */
  readonly describe: Record<string, string>;
  /** One line per extra delivery path, for the summary. */
  describeDelivery(): string[];
  /** Flushes and closes everything it started. */
  shutdown(): Promise<void>;
}

export async function startOptionalExports(config: DemoConfig, metrics: AsyncMetricsRecorder<DemoMetricEvent>): Promise<OptionalExports> {
  const logSinks: LogSink[] = [];
  const describe: Record<string, string> = {};
  const lines: (() => string)[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  if (config.otlpEndpoint) {
    const otel = await import('./otel-setup.ts');
    const setup = await otel.startOtel(config.otlpEndpoint, metrics);
    logSinks.push(setup.logSink);
    describe.otlp = config.otlpEndpoint;
    lines.push(setup.describe);
    closers.push(setup.shutdown);
  }
  if (config.statsdHost) {
    const statsd = await import('./statsd-setup.ts');
    const setup = statsd.startStatsd(config.statsdHost, config.statsdPort, metrics);
    describe.statsd = `${config.statsdHost}:${config.statsdPort}`;
    lines.push(setup.describe);
    closers.push(setup.shutdown);
  }
  return {
    logSinks,
    describe,
    describeDelivery: () => lines.map((l) => l()),
    shutdown: async () => {
      for (const close of closers) await close();
    },
  };
}

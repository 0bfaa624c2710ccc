/**
 * The demo's configuration: embedded defaults, overridden by command-line flags
 * (`--duration 10 --rate 100 --concurrency 16 --metrics-port 9464`) or environment variables
 * (`DEMO_DURATION_S`, `DEMO_RATE`, `DEMO_CONCURRENCY`, `DEMO_METRICS_PORT`, `DEMO_LOG_DIR`).
 * OTLP export switches on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, StatsD when `STATSD_HOST` is.
 */
import { parseArgs } from 'node:util';

export interface DemoConfig {
  /** Load duration, seconds. */
  readonly durationS: number;
  /** Target request rate, requests per second. */
  readonly rate: number;
  readonly concurrency: number;
  /** Share of requests the client aborts early (0..1). */
  readonly abortRatio: number;
  /** Port of the service on 127.0.0.1 (0 = any free port). */
  readonly servicePort: number;
  /** Port of the Prometheus endpoint on 127.0.0.1. */
  readonly metricsPort: number;
  /** Where the JSON-lines log files go. */
  readonly logDir: string;
  readonly otlpEndpoint: string | undefined;
  readonly statsdHost: string | undefined;
  readonly statsdPort: number;
  /** Print a progress line about once per second. */
  readonly progress: boolean;
}

function num(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got '${raw}'`);
  }
  return v;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      'abort-ratio': { type: 'string' },
      port: { type: 'string' },
      'metrics-port': { type: 'string' },
      'log-dir': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    strict: true,
  });
  return {
    durationS: num('--duration', values.duration ?? env.DEMO_DURATION_S, 10, 1, 3600),
    rate: num('--rate', values.rate ?? env.DEMO_RATE, 100, 1, 10_000),
    concurrency: num('--concurrency', values.concurrency ?? env.DEMO_CONCURRENCY, 16, 1, 512),
    abortRatio: num('--abort-ratio', values['abort-ratio'] ?? env.DEMO_ABORT_RATIO, 0.03, 0, 1),
    servicePort: num('--port', values.port ?? env.DEMO_PORT, 0, 0, 65535),
    metricsPort: num('--metrics-port', values['metrics-port'] ?? env.DEMO_METRICS_PORT, 9464, 0, 65535),
    logDir: values['log-dir'] ?? env.DEMO_LOG_DIR ?? '.tmp/demo-logs',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    statsdHost: env.STATSD_HOST || undefined,
    statsdPort: num('STATSD_PORT', env.STATSD_PORT, 8125, 1, 65535),
    progress: !(values.quiet ?? false),
  };
}

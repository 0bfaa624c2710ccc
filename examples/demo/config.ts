/**
 * The demo's configuration: embedded defaults, overridden by environment variables, overridden by
 * command-line flags. One table ({@link OPTIONS}) drives the parser, the validation and `--help`,
 * so an option cannot exist without being documented.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** The console policy shipped with the demo. */
const DEFAULT_POLICY_FILE = join(import.meta.dirname, 'console-policy.json');
/** The logging configuration shipped with the demo (an `mvx-common/config` document). */
const DEFAULT_CONFIG_FILE = join(import.meta.dirname, 'mvx.json');

export interface DemoConfig {
  /** Load duration, seconds. */
  readonly durationS: number;
  /** Target request rate, requests per second. */
  readonly rate: number;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Share of requests the client aborts early (0..1). */
  readonly abortRatio: number;
  /** Interface the service and the Prometheus endpoint listen on. */
  readonly host: string;
  /** Port of the service (0 = any free port). */
  readonly servicePort: number;
  /** Port of the Prometheus endpoint (0 = any free port). */
  readonly metricsPort: number;
  /** How long the Prometheus endpoint stays up after the load, seconds. */
  readonly lingerS: number;
  /** Where the JSON-lines log files go. */
  readonly logDir: string;
  /** The console's `PatternLogEventPolicy` file. */
  readonly policyFile: string;
  /** The `mvx-common/config` document of the sinks and contexts. */
  readonly configFile: string;
  readonly otlpEndpoint: string | undefined;
  /** Time-out of one OTLP export, ms (`OTEL_EXPORTER_OTLP_TIMEOUT`). */
  readonly otlpTimeoutMs: number;
  readonly statsdHost: string | undefined;
  readonly statsdPort: number;
  /** Print a progress line about once per second. */
  readonly progress: boolean;
}

/** A command line or environment the demo refuses; `main` prints it with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Kind = { kind: 'int' | 'number'; min: number; max: number } | { kind: 'string' } | { kind: 'flag' };

interface OptionSpec {
  /** Command-line flag, without `--`; absent for environment-only settings. */
  readonly flag?: string;
  /** Name of the flag's value in `--help`, e.g. `<port>`. */
  readonly arg?: string;
  readonly env?: string;
  readonly key: keyof DemoConfig | 'help';
  readonly type: Kind;
  /** Default as shown by `--help`. */
  readonly fallback: string;
  readonly help: string;
}

/**
 * Default linger: two scrape intervals of the compose stack's Prometheus
 * (`deploy/otel/prometheus.yml`, 2 s) plus one for a scrape in progress; test/deploy checks it.
 */
export const DEFAULT_LINGER_S = 5;

export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'duration', arg: '<s>', env: 'DEMO_DURATION_S', key: 'durationS', type: { kind: 'number', min: 1, max: 3600 }, fallback: '10', help: 'load duration, seconds' },
  { flag: 'rate', arg: '<rps>', env: 'DEMO_RATE', key: 'rate', type: { kind: 'number', min: 1, max: 10_000 }, fallback: '100', help: 'target request rate, requests per second' },
  { flag: 'concurrency', arg: '<n>', env: 'DEMO_CONCURRENCY', key: 'concurrency', type: { kind: 'int', min: 1, max: 512 }, fallback: '16', help: 'requests in flight at most, an integer' },
  { flag: 'abort-ratio', arg: '<0..1>', env: 'DEMO_ABORT_RATIO', key: 'abortRatio', type: { kind: 'number', min: 0, max: 1 }, fallback: '0.03', help: 'share of requests the client gives up on after 4 ms, 0..1' },
  { flag: 'host', arg: '<address>', env: 'DEMO_HOST', key: 'host', type: { kind: 'string' }, fallback: '127.0.0.1', help: 'interface the service and the Prometheus endpoint listen on; 0.0.0.0 lets the containers of docker-compose.otel.yml scrape the endpoint; it also exposes both to your network' },
  { flag: 'port', arg: '<port>', env: 'DEMO_PORT', key: 'servicePort', type: { kind: 'int', min: 0, max: 65_535 }, fallback: '0', help: 'port of the service (0 = any free port)' },
  { flag: 'metrics-port', arg: '<port>', env: 'DEMO_METRICS_PORT', key: 'metricsPort', type: { kind: 'int', min: 0, max: 65_535 }, fallback: '9464', help: 'port of the Prometheus endpoint /metrics (0 = any free port)' },
  { flag: 'linger', arg: '<s>', env: 'DEMO_LINGER_S', key: 'lingerS', type: { kind: 'number', min: 0, max: 3600 }, fallback: String(DEFAULT_LINGER_S), help: 'seconds the Prometheus endpoint stays up after the load, so that a scraper sees the final totals (at least two of its scrape intervals)' },
  { flag: 'log-dir', arg: '<dir>', env: 'DEMO_LOG_DIR', key: 'logDir', type: { kind: 'string' }, fallback: '.tmp/demo-logs', help: 'directory of the JSON-lines log file demo.log (rotated at 5 MiB, 3 files)' },
  { flag: 'policy', arg: '<file>', env: 'DEMO_CONSOLE_POLICY', key: 'policyFile', type: { kind: 'string' }, fallback: 'examples/demo/console-policy.json', help: 'PatternLogEventPolicy (JSON) choosing what the console shows' },
  { flag: 'config', arg: '<file>', env: 'MVX_CONFIG', key: 'configFile', type: { kind: 'string' }, fallback: 'examples/demo/mvx.json', help: 'mvx-common/config document (JSON or YAML) of the sinks and contexts; --log-dir and --policy set its file path and console policy' },
  { flag: 'quiet', key: 'progress', type: { kind: 'flag' }, fallback: 'off', help: 'no progress line every second' },
  { flag: 'help', key: 'help', type: { kind: 'flag' }, fallback: 'off', help: 'print this help and exit' },
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', key: 'otlpEndpoint', type: { kind: 'string' }, fallback: 'unset: no OTLP export', help: 'OTLP/HTTP base URL (e.g. http://localhost:4318): logs, metrics and spans are exported there' },
  { env: 'OTEL_EXPORTER_OTLP_TIMEOUT', key: 'otlpTimeoutMs', type: { kind: 'int', min: 1, max: 600_000 }, fallback: '3000', help: 'time-out of one OTLP export, ms (the exit waits for it at most once more)' },
  { env: 'OTEL_SERVICE_NAME', key: 'help', type: { kind: 'string' }, fallback: 'mvx-demo', help: 'service.name of the OTLP resource' },
  { env: 'OTEL_RESOURCE_ATTRIBUTES', key: 'help', type: { kind: 'string' }, fallback: 'service.version=<package version>', help: 'more resource attributes, key=value,key=value (e.g. deployment.environment.name=dev)' },
  { env: 'STATSD_HOST', key: 'statsdHost', type: { kind: 'string' }, fallback: 'unset: no StatsD push', help: 'StatsD host: the metrics are pushed there over UDP, every 2 s' },
  { env: 'STATSD_PORT', key: 'statsdPort', type: { kind: 'int', min: 1, max: 65_535 }, fallback: '8125', help: 'StatsD port' },
];

/** The `--help` text. */
export function helpText(): string {
  const flags = OPTIONS.filter((o) => o.flag !== undefined);
  const envOnly = OPTIONS.filter((o) => o.flag === undefined);
  const width = 100;
  const indent = ' '.repeat(30);
  /** `head` in a 30-column gutter, then `text` wrapped at `width`. */
  const entry = (head: string, text: string): void => {
    let line = `  ${head}`.padEnd(30);
    if (line.length > 30) {
      lines.push(line.trimEnd());
      line = indent;
    }
    for (const word of text.split(' ')) {
      if (line.length + word.length > width && line.trim() !== '') {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
  };
  const lines = [
    'npm run demo -- [options]',
    '',
    'Runs a small document service instrumented with mvx-common, drives it with HTTP load, keeps',
    'its Prometheus endpoint up for a while, then prints a summary of what was counted and delivered.',
    '',
    'Options (each also read from the environment variable shown; a flag wins over the variable):',
  ];
  for (const o of flags) {
    const defaults = o.type.kind === 'flag' ? '' : ` (default ${o.fallback}${o.env ? `; env ${o.env}` : ''})`;
    entry(`--${o.flag}${o.arg ? ` ${o.arg}` : ''}`, `${o.help}${defaults}`);
  }
  lines.push('', 'Exports (environment only):');
  for (const o of envOnly) entry(o.env!, `${o.help} (default ${o.fallback})`);
  lines.push(
    '',
    'Exit status: 0 when every request was counted and everything was delivered; 1 when the demo',
    'could not run (a port taken, a bad option or policy file) or something was not delivered;',
    '130 / 143 after Ctrl-C / SIGTERM (the load stops, everything is flushed, the summary printed).',
    '',
  );
  return lines.join('\n');
}

function parseValue(o: OptionSpec, raw: string, from: string): number | string {
  const t = o.type;
  if (t.kind === 'string') {
    if (raw.trim() === '') throw new UsageError(`${from} must not be empty`);
    return raw;
  }
  if (t.kind === 'flag') return raw;
  const v = raw.trim() === '' ? NaN : Number(raw);
  const what = t.kind === 'int' ? 'an integer' : 'a number';
  if (!Number.isFinite(v) || (t.kind === 'int' && !Number.isInteger(v)) || v < t.min || v > t.max) {
    throw new UsageError(`${from} must be ${what} from ${t.min} to ${t.max}, got '${raw}'`);
  }
  return v;
}

/**
 * Reads the configuration. Returns `'help'` for `--help`.
 * @throws UsageError for an unknown flag or an invalid value, naming the flag or variable.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): DemoConfig | 'help' {
  const flagOptions = Object.fromEntries(
    OPTIONS.filter((o) => o.flag !== undefined).map((o) => [o.flag!, { type: o.type.kind === 'flag' ? ('boolean' as const) : ('string' as const) }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: flagOptions, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  const out: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    if (o.key === 'help') continue;
    const flag = o.flag === undefined ? undefined : values[o.flag];
    if (o.type.kind === 'flag') {
      out[o.key] = o.key === 'progress' ? flag !== true : flag === true;
      continue;
    }
    const envRaw = o.env === undefined ? undefined : env[o.env];
    if (typeof flag === 'string') out[o.key] = parseValue(o, flag, `--${o.flag}`);
    else if (envRaw !== undefined && envRaw !== '') out[o.key] = parseValue(o, envRaw, o.env!);
    else if (o.key === 'otlpEndpoint' || o.key === 'statsdHost') out[o.key] = undefined;
    else if (o.key === 'policyFile') out[o.key] = DEFAULT_POLICY_FILE;
    else if (o.key === 'configFile') out[o.key] = DEFAULT_CONFIG_FILE;
    else out[o.key] = o.type.kind === 'string' ? o.fallback : Number(o.fallback);
  }
  return out as unknown as DemoConfig;
}

/**
 * Turning the core's dotted names, UCUM units and attribute keys into Prometheus names.
 *
 * Rules, and where they come from:
 * - Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`, and label
 *   names starting with `__` are reserved (Prometheus data model,
 *   https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels). Invalid characters
 *   become `_`, runs of `_` collapse to one, and a leading digit gets a `_` prefix (as the
 *   OpenTelemetry "Prometheus and OpenMetrics compatibility" specification does for names).
 * - Units become suffixes after the OpenTelemetry→Prometheus unit table of that specification
 *   (`By` → `bytes`, `{packets}` → dropped, `1` → `ratio` on gauges only, `a/b` → `a_per_b`),
 *   except that time is converted to the Prometheus base unit, seconds
 *   (https://prometheus.io/docs/practices/naming/#base-units): a `ms` metric is exported as
 *   `_seconds` with its values and bucket bounds divided by 1000. Byte multiples become `_bytes`.
 * - Counters end in `_total`, once (https://prometheus.io/docs/practices/naming/#metric-names).
 * @module
 */
import type { MetricDimensionKind } from '../../index.ts';

/**
 * How a unit is exported: the name suffix, and the conversion of values, histogram bounds and
 * sums to it: `value * factor / divisor` (both 1 when there is no conversion).
 */
export interface PrometheusUnit {
  /** Suffix without the leading `_`, or `''` for none. */
  readonly suffix: string;
  readonly factor: number;
  readonly divisor: number;
}

// UCUM units converted to a Prometheus base unit. Divisions are kept as divisors where exact
// decimals matter (5 ms -> 0.005 s prints as 0.005, which 5 * 0.001 would not).
const CONVERTED: Readonly<Record<string, { suffix: string; divisor?: number; factor?: number }>> = {
  s: { suffix: 'seconds' },
  ms: { suffix: 'seconds', divisor: 1_000 },
  us: { suffix: 'seconds', divisor: 1_000_000 },
  ns: { suffix: 'seconds', divisor: 1_000_000_000 },
  min: { suffix: 'seconds', factor: 60 },
  h: { suffix: 'seconds', factor: 3_600 },
  d: { suffix: 'seconds', factor: 86_400 },
  By: { suffix: 'bytes' },
  KiBy: { suffix: 'bytes', factor: 1_024 },
  MiBy: { suffix: 'bytes', factor: 1_048_576 },
  GiBy: { suffix: 'bytes', factor: 1_073_741_824 },
  kBy: { suffix: 'bytes', factor: 1_000 },
  KBy: { suffix: 'bytes', factor: 1_000 },
  MBy: { suffix: 'bytes', factor: 1_000_000 },
  GBy: { suffix: 'bytes', factor: 1_000_000_000 },
};

// Unit names of the OpenTelemetry→Prometheus table that are kept as they are, only renamed.
const RENAMED: Readonly<Record<string, string>> = {
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

const PER_UNIT: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/**
 * The exported suffix and value scale of a UCUM unit.
 * `undefined`/`''` and `{annotations}` give no suffix; `1` gives `ratio` for gauges only.
 */
export function prometheusUnit(unit: string | undefined, kind: MetricDimensionKind): PrometheusUnit {
  if (unit === undefined) return { suffix: '', factor: 1, divisor: 1 };
  const u = unit.replace(/\{[^}]*\}/g, '').trim();
  if (u === '') return { suffix: '', factor: 1, divisor: 1 };
  if (u === '1') return { suffix: kind === 'gauge' ? 'ratio' : '', factor: 1, divisor: 1 };
  const converted = CONVERTED[u];
  if (converted !== undefined) {
    return { suffix: converted.suffix, factor: converted.factor ?? 1, divisor: converted.divisor ?? 1 };
  }
  const slash = u.indexOf('/');
  if (slash >= 0) {
    // Annotations are removed per part: `{requests}/s` is a rate per second, `By/{request}` bytes.
    const num = u.slice(0, slash).trim();
    const den = u.slice(slash + 1).trim();
    if (den === '') return prometheusUnit(num === '' ? undefined : num, kind);
    const numName = num === '1' || num === '' ? '' : (CONVERTED[num]?.suffix ?? RENAMED[num] ?? num);
    const denName = PER_UNIT[den] ?? RENAMED[den] ?? den;
    const suffix = sanitizeSuffix(numName === '' ? `per_${denName}` : `${numName}_per_${denName}`);
    return { suffix, factor: 1, divisor: 1 };
  }
  return { suffix: sanitizeSuffix(RENAMED[u] ?? u), factor: 1, divisor: 1 };
}

function sanitizeSuffix(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
}

/** Makes a string a valid Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), `_` for invalid runs. */
export function sanitizeMetricName(name: string): string {
  let s = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
  if (s === '') return '_';
  if (s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57) s = `_${s}`;
  return s;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Makes a string a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`
 * (reserved for Prometheus itself), so `otel.metric.overflow` → `otel_metric_overflow`,
 * `__x` → `_x`, `1x` → `_1x`.
 */
export function sanitizeLabelName(name: string): string {
  if (LABEL_NAME.test(name) && !name.startsWith('__')) return name;
  let s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (s === '') return '_';
  if (s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57) s = `_${s}`;
  return s.replace(/^_+/, '_');
}

/** Naming options shared by the bridge. */
export interface NameOptions {
  /** Prepended to every name (sanitised), e.g. `myapp_`. */
  readonly prefix?: string;
}

/** The Prometheus name and scale of one snapshot dimension. */
export interface PrometheusName {
  readonly name: string;
  /** Value conversion: `value * factor / divisor`. */
  readonly factor: number;
  readonly divisor: number;
  /** The Prometheus metric type. */
  readonly type: 'counter' | 'gauge' | 'histogram';
}

/**
 * The Prometheus name of a dimension: `<prefix><metric>[_<dimension>][_<unit>][_total]`, sanitised.
 * The unit suffix is not doubled when the name already ends in it, nor is `_total`.
 */
export function prometheusName(
  metricName: string,
  dimensionName: string,
  kind: MetricDimensionKind,
  unit: string | undefined,
  options: NameOptions = {},
): PrometheusName {
  const base = dimensionName === '' ? metricName : `${metricName}.${dimensionName}`;
  let name = sanitizeMetricName(`${options.prefix ?? ''}${base}`).replace(/_+$/, '');
  if (name === '') name = '_';
  let type: PrometheusName['type'] = 'gauge';
  if (kind === 'counter') type = 'counter';
  else if (kind === 'histogram') type = 'histogram';
  const hadTotal = type === 'counter' && name.endsWith('_total');
  if (hadTotal) name = name.slice(0, -'_total'.length);
  const { suffix, factor, divisor } = prometheusUnit(unit, kind);
  if (suffix !== '' && !name.endsWith(`_${suffix}`) && name !== suffix) name = `${name}_${suffix}`;
  if (type === 'counter') name = `${name}_total`;
  return { name, factor, divisor, type };
}

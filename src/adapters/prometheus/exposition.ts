/**
 * Content negotiation and rendering of a registry in the format it was not configured for.
 *
 * A prom-client `Registry` renders one format, fixed per registry (`setContentType`). Switching a
 * shared registry's content type per request would race with concurrent scrapes, and prom-client's
 * OpenMetrics rendering rewrites counter names in place. So the handler serves the registry's own
 * format with `registry.metrics()` and renders the other one here from `getMetricsAsJSON()` (which
 * runs the same `collect()`s and applies default labels).
 * @module
 */
import type { Registry } from 'prom-client';

/** Prometheus text format 0.0.4 (prom-client's `prometheusContentType`). */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics text 1.0.0 (prom-client's `openMetricsContentType`). */
export const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** One of the two exposition formats. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/**
 * Chooses the format from an `Accept` header by quality value (RFC 9110 §12.5.1):
 * `application/openmetrics-text` against `text/plain` (also reached through `text/*` and `*\/*`).
 * Ties, a missing header, or one naming neither give `fallback`.
 */
export function negotiateFormat(accept: string | undefined, fallback: ExpositionFormat): ExpositionFormat {
  if (accept === undefined || accept === '') return fallback;
  let om = -1;
  let text = -1;
  let any = -1;
  for (const part of accept.slice(0, 4096).split(',')) {
    const [rawType = '', ...params] = part.split(';');
    const type = rawType.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [k = '', v = ''] = param.split('=');
      if (k.trim().toLowerCase() === 'q') {
        const n = Number(v.trim());
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain') text = Math.max(text, q);
    else if (type === 'text/*') text = Math.max(text, q);
    else if (type === '*/*') any = Math.max(any, q);
  }
  if (om < 0) om = any;
  if (text < 0) text = any;
  if (om <= 0 && text <= 0) return fallback;
  if (om > text) return 'openmetrics';
  if (text > om) return 'prometheus';
  return fallback;
}

interface JsonValue {
  value: number;
  labels: Readonly<Record<string, unknown>>;
  metricName?: string;
  /** prom-client: `null` until an exemplar was recorded. */
  exemplar?: { labelSet: Readonly<Record<string, unknown>>; value: number | null; timestamp?: number } | null;
}
interface JsonMetric {
  name: string;
  help: string;
  type: string;
  values: readonly JsonValue[];
  /** Bridge collectors only (`CollectedMetric`): the unit suffix, and `_created` in epoch seconds. */
  unit?: string;
  created?: number;
}

function escapeHelp(s: string, openMetrics: boolean): string {
  const t = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? t.replace(/"/g, '\\"') : t;
}

function escapeLabelValue(v: unknown): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return `${v}`;
}

/** The labels of one sample as text, without braces. */
function labelText(labels: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const key of Object.keys(labels)) {
    const value = labels[key];
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${key}="${escapeLabelValue(value)}"`;
  }
  return text;
}

/**
 * Renders a registry in `format` from `getMetricsAsJSON()`. In OpenMetrics, the bridge's metrics
 * also get `# UNIT` (when the name ends in the unit, as the format requires), `_created` samples
 * (counters and histograms: the start of the cumulative period, epoch seconds) and exemplars
 * (`# {trace_id="…",span_id="…"} value timestamp`, on counter samples and histogram buckets);
 * exemplars of prom-client's own metrics (`enableExemplars`) are printed as well. The classic
 * text format has none of these.
 */
export async function renderRegistry(registry: Registry<any>, format: ExpositionFormat): Promise<string> {
  const metrics = (await registry.getMetricsAsJSON()) as unknown as JsonMetric[];
  const openMetrics = format === 'openmetrics';
  // An OpenMetrics registry strips `_total` from counter names in place (prom-client
  // `standardizeCounterName`); its text rendering puts it back, matching its OpenMetrics samples.
  const nativeOpenMetrics = registry.contentType === OPENMETRICS_TEXT;
  const lines: string[] = [];
  for (const m of metrics) {
    const isCounter = m.type === 'counter';
    // OpenMetrics names the counter family without `_total` and its samples with it.
    let family = m.name;
    if (openMetrics && isCounter) family = m.name.replace(/_total$/, '');
    else if (!openMetrics && isCounter && nativeOpenMetrics && !m.name.endsWith('_total')) family = `${m.name}_total`;
    let type = m.type;
    if (openMetrics && type === 'untyped') type = 'unknown';
    else if (!openMetrics && type === 'unknown') type = 'untyped';
    lines.push(`# HELP ${family} ${escapeHelp(m.help, openMetrics)}`, `# TYPE ${family} ${type}`);
    if (openMetrics && m.unit !== undefined && family.endsWith(`_${m.unit}`)) lines.push(`# UNIT ${family} ${m.unit}`);
    const created = openMetrics && m.created !== undefined ? formatValue(m.created) : undefined;
    const countName = `${family}_count`;
    for (const v of m.values) {
      let name = v.metricName ?? family;
      if (openMetrics && isCounter && v.metricName === undefined) name = `${family}_total`;
      const labels = labelText(v.labels);
      const braced = labels === '' ? '' : `{${labels}}`;
      let line = `${name}${braced} ${formatValue(v.value)}`;
      const ex = v.exemplar;
      if (openMetrics && ex !== undefined && ex !== null && typeof ex.value === 'number') {
        line += ` # {${labelText(ex.labelSet)}} ${formatValue(ex.value)}${ex.timestamp === undefined ? '' : ` ${formatValue(ex.timestamp)}`}`;
      }
      lines.push(line);
      // `_created` closes each series: after a counter's sample, after a histogram's `_count`.
      if (created !== undefined && (isCounter || (m.type === 'histogram' && name === countName))) lines.push(`${family}_created${braced} ${created}`);
    }
    if (!openMetrics) lines.push('');
  }
  if (openMetrics) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

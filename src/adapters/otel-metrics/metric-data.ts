/**
 * Snapshot dimension → OpenTelemetry `MetricData`: {@link toOtelMetricData}, a pure function (the
 * only state it touches is the `DeltaState` it is given in DELTA mode), used by the bridge's
 * `MetricProducer` side.
 *
 * Data handed to the SDK through a `MetricProducer` is not subject to views or the reader's
 * temporality selector (OTel spec, "MetricProducer"), so the producer sets it: CUMULATIVE with the
 * snapshot's stable `startTimeMs` as start time (what Prometheus and cumulative OTLP backends need
 * to detect resets), or DELTA through a `DeltaState`.
 */
import { ValueType } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { epochMsToHrTime } from '../../adapter-kit/index.ts';
import type { HistogramDimension, MetricDimension, MetricSnapshot, NumberDimension } from '../../index.ts';
import type { DeltaState } from './delta-state.ts';

// Numeric values of the SDK enums (`AggregationTemporality`, `DataPointType`), identical in
// sdk-metrics 1.x to 3.x; used as constants so the adapter has no runtime import of the SDK.
const DELTA = 0;
const CUMULATIVE = 1;
const HISTOGRAM = 0;
const GAUGE = 2;
const SUM = 3;

/** The exported name of a dimension: `<metric>.<dimension>`, or the metric name for `''`. */
export function dimensionMetricName(metricName: string, dimensionName: string): string {
  return dimensionName === '' ? metricName : `${metricName}.${dimensionName}`;
}

/** OTel instrument name syntax (API spec): ASCII letter first, then `[A-Za-z0-9_./-]`, ≤ 255. */
const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_./-]{0,254}$/;

/** Whether `name` is a valid OpenTelemetry instrument name. */
export function isValidInstrumentName(name: string): boolean {
  return INSTRUMENT_NAME.test(name);
}

/**
 * Converts one dimension of a snapshot to metric data named `name` (default: the dimension's
 * exported name, see {@link dimensionMetricName}): histograms to HISTOGRAM, counters to monotonic
 * SUM, up-down counters to non-monotonic SUM, gauges to GAUGE. CUMULATIVE with the snapshot's
 * stable start time, or DELTA (histograms and counters) when a {@link DeltaState} is given; then
 * series without a change are left out and `undefined` is returned when none changed.
 */
export function toOtelMetricData(snapshot: MetricSnapshot, dim: MetricDimension, name = dimensionMetricName(snapshot.name, dim.name), delta?: DeltaState): MetricData | undefined {
  return dim.kind === 'histogram' ? histogramData(snapshot, dim, name, delta) : numberData(snapshot, dim, name, delta);
}

/**
 * Converts one histogram dimension of a snapshot to HISTOGRAM metric data: CUMULATIVE, or DELTA
 * when a {@link DeltaState} is given (series without new observations are left out).
 */
function histogramData(snapshot: MetricSnapshot, dim: HistogramDimension, name: string, delta?: DeltaState): MetricData | undefined {
  const startTime = epochMsToHrTime(snapshot.startTimeMs);
  const endTime = epochMsToHrTime(snapshot.timeMs);
  const boundaries = dim.bounds.slice();
  const dataPoints = [];
  for (const s of dim.series) {
    if (delta !== undefined) {
      const d = delta.histogram(name, snapshot.startTimeMs, dim.bounds, s, startTime, endTime);
      if (d === undefined) continue;
      const { startTime: from, counts, ...rest } = d;
      dataPoints.push({ startTime: from, endTime, attributes: s.attributes, value: { buckets: { boundaries, counts }, ...rest } });
      continue;
    }
    dataPoints.push({
      startTime,
      endTime,
      attributes: s.attributes,
      value: {
        buckets: { boundaries, counts: s.counts.slice() },
        sum: s.sum,
        count: s.count,
        ...(s.count > 0 && s.min !== undefined ? { min: s.min } : {}),
        ...(s.count > 0 && s.max !== undefined ? { max: s.max } : {}),
      },
    });
  }
  if (delta !== undefined && dataPoints.length === 0) return undefined;
  return {
    descriptor: descriptor(snapshot, dim, name),
    aggregationTemporality: delta === undefined ? CUMULATIVE : DELTA,
    dataPointType: HISTOGRAM,
    dataPoints,
  } as MetricData;
}

/**
 * Converts a number dimension to SUM (counter: monotonic; updown: not monotonic) or GAUGE data.
 * Used only when the bridge exports number dimensions through the producer. With a
 * {@link DeltaState}, counters become DELTA sums (unchanged series left out); up-down counters stay
 * CUMULATIVE, as OTLP exporters do under a DELTA preference.
 */
function numberData(snapshot: MetricSnapshot, dim: NumberDimension, name: string, delta?: DeltaState): MetricData | undefined {
  const startTime = epochMsToHrTime(snapshot.startTimeMs);
  const endTime = epochMsToHrTime(snapshot.timeMs);
  if (dim.kind === 'gauge') {
    const dataPoints = dim.series.map((s) => ({ startTime, endTime, attributes: s.attributes, value: s.value }));
    return { descriptor: descriptor(snapshot, dim, name), aggregationTemporality: CUMULATIVE, dataPointType: GAUGE, dataPoints } as MetricData;
  }
  if (dim.kind === 'counter' && delta !== undefined) {
    const dataPoints = [];
    for (const s of dim.series) {
      const d = delta.counter(name, snapshot.startTimeMs, s, startTime, endTime);
      if (d !== undefined) dataPoints.push({ startTime: d.startTime, endTime, attributes: s.attributes, value: d.value });
    }
    if (dataPoints.length === 0) return undefined;
    return { descriptor: descriptor(snapshot, dim, name), aggregationTemporality: DELTA, dataPointType: SUM, isMonotonic: true, dataPoints } as MetricData;
  }
  const dataPoints = dim.series.map((s) => ({ startTime, endTime, attributes: s.attributes, value: s.value }));
  return {
    descriptor: descriptor(snapshot, dim, name),
    aggregationTemporality: CUMULATIVE,
    dataPointType: SUM,
    isMonotonic: dim.kind === 'counter',
    dataPoints,
  } as MetricData;
}

function descriptor(snapshot: MetricSnapshot, dim: NumberDimension | HistogramDimension, name: string) {
  return {
    name,
    description: dim.description ?? snapshot.description ?? '',
    unit: dim.unit ?? snapshot.unit ?? '',
    valueType: ValueType.DOUBLE,
  };
}

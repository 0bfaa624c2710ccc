/** Decoding helpers for OTLP/JSON bodies (the protobuf JSON mapping used by the http/json exporters). */

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

/** An OTLP AnyValue as a plain JS value. */
export function decodeValue(v: OtlpAnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeValue);
  if (v.kvlistValue !== undefined) return decodeAttributes(v.kvlistValue.values ?? []);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** An OTLP attribute list as a plain object. */
export function decodeAttributes(list: readonly OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = decodeValue(kv.value);
  return out;
}

export interface OtlpLogRecord {
  timeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  eventName?: string;
  attributes?: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

/** Every log record of a list of `/v1/logs` bodies, with its scope name. */
export function logRecords(bodies: readonly unknown[]): (OtlpLogRecord & { scope: string })[] {
  const out: (OtlpLogRecord & { scope: string })[] = [];
  for (const body of bodies as { resourceLogs: { scopeLogs: { scope: { name: string }; logRecords: OtlpLogRecord[] }[] }[] }[]) {
    for (const rl of body.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) out.push({ ...r, scope: sl.scope.name });
  }
  return out;
}

export interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: number | string;
}
export interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: number | string;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts: (number | string)[];
  explicitBounds: number[];
}
export interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  sum?: { aggregationTemporality: number; isMonotonic?: boolean; dataPoints: OtlpNumberPoint[] };
  gauge?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { aggregationTemporality: number; dataPoints: OtlpHistogramPoint[] };
}

/** Every metric of a list of `/v1/metrics` bodies (all export rounds, in order). */
export function metricsOf(bodies: readonly unknown[]): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  for (const body of bodies as { resourceMetrics: { scopeMetrics: { metrics: OtlpMetric[] }[] }[] }[]) {
    for (const rm of body.resourceMetrics) for (const sm of rm.scopeMetrics) out.push(...sm.metrics);
  }
  return out;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}

/** Every span of a list of `/v1/traces` bodies. */
export function spansOf(bodies: readonly unknown[]): OtlpSpan[] {
  const out: OtlpSpan[] = [];
  for (const body of bodies as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }[]) {
    for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) out.push(...ss.spans);
  }
  return out;
}

/** A number point's value. */
export function pointValue(p: OtlpNumberPoint): number {
  return p.asDouble ?? Number(p.asInt);
}

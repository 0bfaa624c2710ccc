/**
 * The emit-time half of exemplars: reading the trace context of a measurement. Recorders call
 * {@link captureExemplarContext} in `emit()` (aggregation may run later, outside the caller's
 * context), and pass its result to `Metric.handle(event, exemplar)`.
 *
 * Where the trace ids come from, first match wins:
 * 1. the event's own `correlation` (`{ trace_id, span_id, trace_flags }`, the shape of
 *    `LogEvent.correlation`), for events emitted on behalf of a span that is not the active one;
 * 2. the process-wide correlation provider (`setLogCorrelationProvider`): `registerOtelTracing`
 *    (`mvx-common/otel-trace`) registers one that reads the active OpenTelemetry span, so metric
 *    events emitted inside a `logInvocation` call carry its span. The core imports no OTel.
 *
 * @module
 */
import { currentLogCorrelation } from '../../logger/correlation.ts';
import { epochMsNow } from '../../internal/clock.ts';
import { MvxConfigError } from '../../errors.ts';
import type { MetricEvent } from '../types.ts';
import { EXEMPLAR_FILTERS } from './exemplar.ts';
import type { ExemplarContext, ExemplarFilter } from './exemplar.ts';

/** The filters as numbers, for the hot path. */
export const FILTER_OFF = 0;
export const FILTER_ON = 1;
export const FILTER_TRACE_BASED = 2;

/**
 * The numeric form of an `exemplarFilter` option (`'trace_based'` when absent).
 * @throws MvxConfigError naming `option` for any other value.
 */
export function compileExemplarFilter(value: ExemplarFilter | undefined, option = 'exemplarFilter'): number {
  if (value === undefined || value === 'trace_based') return FILTER_TRACE_BASED;
  if (value === 'off') return FILTER_OFF;
  if (value === 'on') return FILTER_ON;
  throw new MvxConfigError(option, `must be one of ${EXEMPLAR_FILTERS.map((f) => `'${f}'`).join(', ')}, got ${String(value)}`);
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

// One-entry memo: the OTel correlation provider returns one frozen record per span, so the ids of
// consecutive events inside a span are validated once.
let lastIds: object | undefined;
let lastTraceId: string | undefined;
let lastSpanId: string | undefined;
let lastSampled = false;

/**
 * The exemplar context of a measurement made now, or `undefined` when `filter` rejects it
 * (`off`; `trace_based` outside a sampled trace). Never throws. Ids that are not valid W3C ids
 * (32 / 16 lower-case hex digits, not all zero) count as no trace context. A correlation without
 * `trace_flags` counts as sampled (the event names its trace explicitly).
 */
export function captureExemplarContext(filter: number, event: MetricEvent): ExemplarContext | undefined {
  if (filter === FILTER_OFF) return undefined;
  const own = (event as { readonly correlation?: unknown }).correlation;
  const ids = own !== undefined && own !== null && typeof own === 'object' ? (own as Readonly<Record<string, unknown>>) : currentLogCorrelation();
  if (ids !== undefined && ids !== lastIds) remember(ids);
  if (ids === undefined || lastTraceId === undefined) return filter === FILTER_ON ? { timeMs: epochMsNow() } : undefined;
  if (filter === FILTER_TRACE_BASED && !lastSampled) return undefined;
  return { timeMs: epochMsNow(), traceId: lastTraceId, spanId: lastSpanId };
}

function remember(ids: Readonly<Record<string, unknown>>): void {
  // Only a frozen record cannot change under the memo.
  lastIds = Object.isFrozen(ids) ? ids : undefined;
  const traceId = ids['trace_id'];
  const spanId = ids['span_id'];
  if (typeof traceId === 'string' && typeof spanId === 'string' && HEX32.test(traceId) && HEX16.test(spanId) && traceId !== ZERO32 && spanId !== ZERO16) {
    lastTraceId = traceId;
    lastSpanId = spanId;
    const flags = ids['trace_flags'];
    // W3C trace-flags: two hex digits, bit 0 = sampled.
    lastSampled = typeof flags !== 'string' || (Number.parseInt(flags, 16) & 1) === 1;
  } else {
    lastTraceId = undefined;
    lastSpanId = undefined;
    lastSampled = false;
  }
}

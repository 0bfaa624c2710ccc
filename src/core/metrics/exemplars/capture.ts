/**
 * The emit-time half of exemplars: reading the trace context of a measurement. Recorders call
 * {@link captureExemplarIds} in `emit()` (aggregation may run later, outside the caller's
 * context), and pass the ids with a timestamp to `Metric.handle(event, exemplar)`.
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

/** The trace ids a recorder keeps with a buffered event (shared, frozen: no allocation per event). */
export interface ExemplarIds {
  readonly traceId?: string;
  readonly spanId?: string;
}

/** The ids of a measurement the `on` filter keeps outside any trace. */
export const NO_TRACE: ExemplarIds = Object.freeze({});

// One-entry memo: the OTel correlation provider returns one frozen record per span, so the ids of
// consecutive events inside a span are validated once, and share one ExemplarIds object.
let lastRecord: object | undefined;
let lastIds: ExemplarIds | undefined;
let lastSampled = false;

/**
 * The trace ids of a measurement made now, or `undefined` when `filter` rejects it (`off`;
 * `trace_based` outside a sampled trace); {@link NO_TRACE} for a measurement outside any trace
 * that `on` keeps. Never throws. Ids that are not valid W3C ids (32 / 16 lower-case hex digits,
 * not all zero) count as no trace context. A correlation without `trace_flags` counts as sampled
 * (the event names its trace explicitly).
 */
export function captureExemplarIds(filter: number, event: MetricEvent): ExemplarIds | undefined {
  if (filter === FILTER_OFF) return undefined;
  let record: Readonly<Record<string, unknown>> | undefined;
  try {
    const own = (event as { readonly correlation?: unknown }).correlation;
    record = own !== undefined && own !== null && typeof own === 'object' ? (own as Readonly<Record<string, unknown>>) : currentLogCorrelation();
    if (record !== undefined && record !== lastRecord) remember(record);
  } catch {
    // A hostile event (a throwing getter): no trace context, never a throw into emit().
    record = undefined;
  }
  if (record === undefined || lastIds === undefined) return filter === FILTER_ON ? NO_TRACE : undefined;
  if (filter === FILTER_TRACE_BASED && !lastSampled) return undefined;
  return lastIds;
}

function remember(record: Readonly<Record<string, unknown>>): void {
  // Only a frozen record cannot change under the memo (cleared first: a throwing getter below leaves no stale memo).
  lastRecord = undefined;
  lastIds = undefined;
  lastSampled = false;
  const frozen = Object.isFrozen(record);
  const traceId = record['trace_id'];
  const spanId = record['span_id'];
  if (typeof traceId === 'string' && typeof spanId === 'string' && HEX32.test(traceId) && HEX16.test(spanId) && traceId !== ZERO32 && spanId !== ZERO16) {
    const flags = record['trace_flags'];
    lastIds = Object.freeze({ traceId, spanId });
    // W3C trace-flags: two hex digits, bit 0 = sampled.
    lastSampled = typeof flags !== 'string' || (Number.parseInt(flags, 16) & 1) === 1;
  }
  if (frozen) lastRecord = record;
}

/**
 * The context a recorder hands to `Metric.handle`: one mutable object per recorder, refilled for
 * each event (metrics copy what they keep).
 */
export class ReusedExemplarContext implements ExemplarContext {
  timeMs = 0;
  traceId: string | undefined = undefined;
  spanId: string | undefined = undefined;

  /** Fills the context for one event; returns it. */
  set(timeMs: number, ids: ExemplarIds): this {
    this.timeMs = timeMs;
    this.traceId = ids.traceId;
    this.spanId = ids.spanId;
    return this;
  }
}

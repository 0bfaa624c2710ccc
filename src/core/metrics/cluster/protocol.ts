/**
 * The messages between a worker's {@link ClusterMetricsReporter} and the primary's
 * {@link ClusterMetricsAggregator}, over the process IPC channel (JSON) or a `MessagePort`.
 *
 * Reports carry cumulative values, and only for the series that changed since the previous report,
 * with a dictionary: a metric or a series is defined once (`m`, `d`) and referred to by a small
 * integer afterwards. Every report has a sequence number `s`; the primary applies them in order.
 * It confirms them cumulatively in its next `collect` (`s`: the last report applied), and at once
 * (`ack`) only a report that asks for it (`a`: a worker's flush or shutdown waits for it), so a
 * scrape costs one message each way per worker. A report out of sequence (one was lost or
 * reordered) is refused (`ack` with `ok: false`) and the primary asks for a full report
 * (`resync`), which redefines everything; since values are cumulative, a full report repairs any
 * loss without counting anything twice.
 *
 * Every message carries `mvx: 'mvx-cluster-metrics'`, so the application's own messages on the same
 * channel are left alone.
 */
import type { MetricAttributes, MetricDimensionKind } from '../types.ts';

/** The `mvx` tag of every message. */
export const CLUSTER_ENVELOPE = 'mvx-cluster-metrics';
/** Version of the message format, in every report. */
export const CLUSTER_PROTOCOL_VERSION = 1;

/** A number as it crosses JSON: finite numbers as they are, `NaN` and infinities as strings. */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** `[metricId, name, startTimeMs, description | null, unit | null]`. */
export type MetricDef = readonly [number, string, number, string | null, string | null];
/** `[seriesId, metricId, dimension name, kind, attributes, dimension unit | null, dimension description | null, bounds | null]`. */
export type SeriesDef = readonly [number, number, string, MetricDimensionKind, MetricAttributes, string | null, string | null, readonly number[] | null];
/** `[seriesId, counts, sum, count, min | null, max | null]`. */
export type HistogramValue = readonly [number, readonly number[], WireNumber, number, WireNumber | null, WireNumber | null];

/** Worker → primary. */
export interface ReportMessage {
  readonly mvx: typeof CLUSTER_ENVELOPE;
  readonly t: 'report';
  readonly v: typeof CLUSTER_PROTOCOL_VERSION;
  /** Sequence number, from 1. */
  readonly s: number;
  /** A full report: every metric and series defined again; replaces the worker's dictionary. */
  readonly full?: true;
  /** The collect request this report answers. */
  readonly r?: number;
  /** The worker's last report (controlled shutdown): its values are final. */
  readonly bye?: true;
  /** Ask for an immediate `ack` (the worker waits for it). */
  readonly a?: true;
  /** Full reports: the worker's chosen name, if any. */
  readonly name?: string;
  /** Full reports: the worker's process id. */
  readonly pid?: number;
  readonly m?: readonly MetricDef[];
  readonly d?: readonly SeriesDef[];
  /** Number series values, flat: `[seriesId, value, seriesId, value, …]`. */
  readonly n?: readonly (number | WireNumber)[];
  readonly hv?: readonly HistogramValue[];
}

/** Primary → worker. */
export type ToWorker =
  | { readonly mvx: typeof CLUSTER_ENVELOPE; readonly t: 'ack'; readonly s: number; readonly ok: true }
  /** Refused report `s`; `l`: the last one applied (those between were lost). */
  | { readonly mvx: typeof CLUSTER_ENVELOPE; readonly t: 'ack'; readonly s: number; readonly ok: false; readonly l: number }
  | { readonly mvx: typeof CLUSTER_ENVELOPE; readonly t: 'collect'; readonly id: number; readonly b: number; readonly s: number }
  | { readonly mvx: typeof CLUSTER_ENVELOPE; readonly t: 'resync' };

/** Encodes a number for JSON. */
export function toWire(value: number): WireNumber {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** Decodes {@link toWire}; anything else is `NaN`. */
export function fromWire(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return NaN;
}

/** Whether a value is one of our messages. */
export function isClusterMessage(value: unknown): value is Readonly<Record<string, unknown>> & { readonly t: unknown } {
  return value !== null && typeof value === 'object' && (value as { mvx?: unknown }).mvx === CLUSTER_ENVELOPE;
}

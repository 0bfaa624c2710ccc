/**
 * Trace-consistent probability sampling: whether a trace is kept at probability `p`, decided from its
 * trace id alone, so that every process (every service a request crosses) decides the same for the
 * same trace without talking to the others.
 *
 * The function is OpenTelemetry's consistent probability sampling (the `th` rejection threshold of
 * the trace-state probability sampling specification, OTEP 235), with the randomness taken from
 * the trace id as W3C Trace Context level 2 defines it for trace ids with the `random` flag:
 *
 * - `R` = the 56 low-order bits of the trace id (its last 14 hex digits);
 * - `T` = round((1 − p) × 2^56), the rejection threshold;
 * - kept iff `R ≥ T`.
 *
 * So p = 1 keeps every trace, p = 0 none, and a trace kept at p is kept at every p' ≥ p (a service
 * sampling its logs at 10% keeps a subset of what one at 50% keeps). `R` is taken from the id
 * whether or not the `random` flag (trace flags bit 0x02) is set: the OpenTelemetry SDKs generate
 * fully random trace ids, and generating `R` at random instead, as the specification asks for ids
 * without the flag, would break the one property wanted here: agreement between processes.
 *
 * @module
 */

/** 2^32, to split 56-bit values into a high 24-bit and a low 32-bit part (exact in doubles). */
const TWO_32 = 4_294_967_296;
/** 2^56 as a BigInt. */
const TWO_56 = 1n << 56n;
/** The invalid (all-zero) trace id of W3C Trace Context. */
const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** A rejection threshold split into its high 24 and low 32 bits. */
export interface TraceThreshold {
  readonly hi: number;
  readonly lo: number;
}

/** The rejection threshold `T` = round((1 − p) × 2^56) of a probability in [0, 1]. */
export function traceThreshold(probability: number): TraceThreshold {
  // (1 - p) * 2^56 is computed in doubles (53-bit mantissa): within a few units of 2^56 × (1 − p),
  // far below any probability a configuration can express.
  const t = probability >= 1 ? 0n : probability <= 0 ? TWO_56 : BigInt(Math.round((1 - probability) * 2 ** 56));
  return { hi: Number(t >> 32n), lo: Number(t & 0xffff_ffffn) };
}

/** The value of one hex digit's char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Whether the trace `traceId` is kept under `threshold`: `true` / `false`, or `undefined` when
 * `traceId` is not usable (not 32 characters, the all-zero id, or its last 14 characters not hex
 * digits), so that the caller decides another way. Only the 14 digits that make `R` are read.
 */
export function traceKept(traceId: string, threshold: TraceThreshold): boolean | undefined {
  if (traceId.length !== 32 || traceId === INVALID_TRACE_ID) return undefined;
  let hi = 0;
  let lo = 0;
  for (let i = 18; i < 32; i++) {
    const v = hexValue(traceId.charCodeAt(i));
    if (v < 0) return undefined;
    if (i >= 24) lo = lo * 16 + v;
    else hi = hi * 16 + v;
  }
  return hi > threshold.hi || (hi === threshold.hi && lo >= threshold.lo);
}

/** The threshold as the specification's `th` value (hex, trailing zeros dropped; `0` keeps all). For docs and tests. */
export function thresholdHex(threshold: TraceThreshold): string {
  if (threshold.hi === 2 ** 24) return '100000000000000'; // 2^56: nothing is kept (no `th` expresses it)
  const hex = (threshold.hi.toString(16).padStart(6, '0') + threshold.lo.toString(16).padStart(8, '0')).replace(/0+$/, '');
  return hex === '' ? '0' : hex;
}

/** `R` of a valid trace id as a fraction of 2^56, in [0, 1). For tests. */
export function traceRandomness(traceId: string): number {
  return (Number.parseInt(traceId.slice(18, 24), 16) * TWO_32 + Number.parseInt(traceId.slice(24), 16)) / 2 ** 56;
}

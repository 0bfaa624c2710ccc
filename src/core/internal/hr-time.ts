/**
 * Epoch milliseconds to a high-resolution `[seconds, nanoseconds]` pair (the shape of Node's
 * `process.hrtime()` and OpenTelemetry's `HrTime`). Backend-neutral: adapters pass the tuple on.
 */

/**
 * Converts epoch milliseconds (fractional allowed) to `[seconds, nanoseconds]`, keeping
 * sub-millisecond precision; nanoseconds are in `[0, 1e9)`. OpenTelemetry adapters pass this
 * rather than a number to avoid the SDK's "small number = performance.now() offset" heuristic
 * (`timeInputToHrTime`).
 */
export function epochMsToHrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return [seconds + 1, nanos - 1e9];
  if (nanos < 0) nanos = 0;
  return [seconds, nanos];
}

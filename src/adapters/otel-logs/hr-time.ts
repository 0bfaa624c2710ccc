/** Epoch milliseconds to OpenTelemetry `HrTime` (`[seconds, nanoseconds]`). */
import type { HrTime } from '@opentelemetry/api';

/**
 * Converts epoch milliseconds (fractional allowed) to `[seconds, nanoseconds]`, keeping
 * sub-millisecond precision. Passing an `HrTime` rather than a number avoids the SDK's
 * "small number = performance.now() offset" heuristic (`timeInputToHrTime`).
 */
export function epochMsToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return [seconds + 1, nanos - 1e9];
  if (nanos < 0) nanos = 0;
  return [seconds, nanos];
}

/**
 * mvx level → OpenTelemetry `SeverityNumber` and severity text.
 *
 * The OTel log data model has six ranges of four numbers: TRACE 1–4, DEBUG 5–8, INFO 9–12,
 * WARN 13–16, ERROR 17–20, FATAL 21–24. mvx levels follow the Python scale (DEBUG 10, INFO 20,
 * WARNING 30, ERROR 40, CRITICAL 50), so each decade maps onto one range: a standard level gets
 * the first number of its range (the convention of the official appenders: "assign that severity
 * the smallest value of the range"), and a custom level in between is scaled linearly into the
 * range, `offset = floor((level mod 10) × 4 / 10)`:
 *
 * | mvx level | SeverityNumber |
 * | --- | --- |
 * | ≤ 2 | 1 TRACE |
 * | 3–4, 5–7, 8–9 | 2 TRACE2, 3 TRACE3, 4 TRACE4 |
 * | 10 DEBUG | 5 DEBUG (11–12 → 5, 13–14 → 6, 15–17 → 7, 18–19 → 8) |
 * | 20 INFO | 9 INFO (25 → 11 INFO3) |
 * | 30 WARNING | 13 WARN |
 * | 40 ERROR | 17 ERROR |
 * | 50 CRITICAL | 21 FATAL (59 → 24 FATAL4) |
 * | ≥ 60 | 24 FATAL4 |
 * | NaN | 0 UNSPECIFIED |
 */
import { logLevelName } from '../../index.ts';

/** `SeverityNumber.UNSPECIFIED`. */
export const SEVERITY_UNSPECIFIED = 0;

/** The OTel `SeverityNumber` of an mvx level (see the module table). */
export function severityNumberOf(level: number): number {
  if (Number.isNaN(level)) return SEVERITY_UNSPECIFIED;
  if (level >= 60) return 24;
  const l = level <= 0 ? 0 : Math.floor(level);
  const decade = Math.floor(l / 10); // 0 → TRACE, 1 → DEBUG, ..., 5 → FATAL
  const offset = Math.floor(((l % 10) * 4) / 10);
  return 1 + decade * 4 + offset;
}

const TEXT_CACHE_LIMIT = 256;
const textCache = new Map<number, string>();

/**
 * The severity text: the level's own name as the source knows it (`INFO`, `WARNING`,
 * `INFO+5` for a custom 25), per the data model ("the original string representation of the
 * severity as it is known at the source"). Cached per level (bounded).
 */
export function severityTextOf(level: number): string {
  let text = textCache.get(level);
  if (text === undefined) {
    text = logLevelName(level);
    if (textCache.size < TEXT_CACHE_LIMIT) textCache.set(level, text);
  }
  return text;
}

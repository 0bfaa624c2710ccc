/**
 * What a level helper (`debug`, `info`, ...) of a `LogContext` knows ahead of time, resolved with
 * the context's settings: its mode (off, off for plain calls, decided per name, or ask), and the
 * table of plain denials it checks before the decision cache. Internal.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { LogLevel } from '../level.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';

/**
 * - `OFF`: below the minimum level: every call is disabled;
 * - `OFF_PLAIN`: the policy disables every plain call (no options) of this namespace at this level
 *   whatever its name (`LogEventPolicy.plainDecision`);
 * - `BY_NAME`: the decision depends on the name: the denial table, then the per-name cache;
 * - `ASK`: no shortcut (no policy, or the policy enables every plain call): `logEvent` decides.
 */
export const Mode = { OFF: 0, OFF_PLAIN: 1, BY_NAME: 2, ASK: 3 } as const;
export type ModeValue = (typeof Mode)[keyof typeof Mode];

/** The level helpers' levels, in the order of their denial-table blocks. */
export const HELPER_LEVELS = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR, LogLevel.CRITICAL] as const;
/** The level helpers' names, in `HELPER_LEVELS` order. */
export const HELPER_NAMES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type HelperName = (typeof HELPER_NAMES)[number];

/** Sets per level of the two-way table of plain denials (a power of two); a level's block holds two ways. */
const DENIAL_SETS = 64;
/** Slots per level: two ways of `DENIAL_SETS`. */
export const DENIAL_SLOTS = DENIAL_SETS;

/**
 * Set of a non-empty `name` in one level's block of the denial table: cheap (length and last
 * character, one `charCodeAt`: measured, a second character costs ~1 ns on every call), two ways
 * per set so two colliding names both stay; a third only costs a Map lookup.
 */
export function denialSet(name: string): number {
  const n = name.length;
  return (name.charCodeAt(n - 1) + n * 13) & (DENIAL_SETS - 1);
}

/**
 * The empty denial table, shared by every context until it records its first denial. Filled with
 * `''` (never a valid name, and checked apart) rather than `undefined`, so the comparison in the
 * level helpers only ever sees strings and V8 keeps it a plain string comparison.
 */
export const NO_DENIALS: string[] = new Array<string>(DENIAL_SLOTS * HELPER_LEVELS.length).fill(''); // never written (not frozen: one array shape at the load)

/**
 * The mode of a helper level: off below the minimum level, off for every plain call by the policy's
 * own account (`plainDecision`), decided per name, or left to `logEvent`. `onPolicyFailure` counts
 * a `plainDecision` that throws (reported here; the level is then decided per name).
 */
export function modeFor(level: number, minLevel: number, policy: LogEventPolicy | undefined, namespace: string, onPolicyFailure: () => void): ModeValue {
  if (level < minLevel) return Mode.OFF;
  if (policy === undefined) return Mode.ASK;
  if (typeof policy.plainDecision !== 'function') return Mode.BY_NAME;
  let d: boolean | undefined;
  try {
    d = policy.plainDecision(namespace, level);
  } catch (error) {
    onPolicyFailure();
    reportDiagnostic({
      component: 'LogContext',
      code: 'policy.failed',
      message: 'the event policy threw in plainDecision; decisions are taken per event instead',
      error,
      details: { namespace, level },
    });
    return Mode.BY_NAME;
  }
  return d === false ? Mode.OFF_PLAIN : d === true ? Mode.ASK : Mode.BY_NAME;
}

/** The modes of the helper levels, in `HELPER_LEVELS` order (see {@link modeFor}). */
export function modesFor(minLevel: number, policy: LogEventPolicy | undefined, namespace: string, onPolicyFailure: () => void): ModeValue[] {
  return HELPER_LEVELS.map((level) => modeFor(level, minLevel, policy, namespace, onPolicyFailure));
}

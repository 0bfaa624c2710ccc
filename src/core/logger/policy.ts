/** The width contract: which events are logged. */
import type { LogEventMeta, LogOutcome } from './event.ts';

/**
 * Decides whether an event is enabled, from its metadata, level and outcome only (never the
 * payload). Implementations must be pure functions of their configuration so that decisions can
 * be cached; a policy whose configuration can change exposes `version`, a number that changes
 * whenever a previous decision may no longer hold, so caches know to drop what they hold.
 */
export interface LogEventPolicy {
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean;
  /** Changes whenever the policy's decisions may change. Absent: decisions never change. */
  readonly version?: number;
}

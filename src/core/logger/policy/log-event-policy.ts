/** The width contract: which events are logged. */
import type { LogEventMeta, LogOutcome } from '../event.ts';
import type { LogEventSampler } from './log-event-sampler.ts';

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
  /**
   * Optional, for speed: the decision `isEnabled` gives every *plain* event of `namespace` at
   * `level` (no entity id, no source, no outcome), when that decision is the same whatever the
   * event name; `undefined` when it may depend on the name (or is not known). Must agree with
   * `isEnabled`: answer `undefined` whenever unsure. `LogContext` calls it when its settings are
   * resolved (and again when `version` changes), so a level the policy turns off for a whole
   * namespace costs the level helpers what a level below the minimum costs.
   */
  plainDecision?(namespace: string, level: number): boolean | undefined;
  /**
   * Optional, for sampling: the sampler that thins the *enabled* events with this metadata, level
   * and outcome, or `undefined` when they are logged unsampled. Asked only after `isEnabled` said
   * `true`, and cached with that decision (same rule: it is a pure function of the configuration
   * and `version`); the sampler it returns then decides per event (see {@link LogEventSampler}).
   */
  samplerFor?(meta: LogEventMeta, level: number, outcome?: LogOutcome): LogEventSampler | undefined;
}

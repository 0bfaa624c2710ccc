/**
 * What other parts of the logger reach inside a `LogContext` (the facade's tree walk and reset,
 * `logInvocation`'s shared decisions), without making it public API: `LogContext`'s static block
 * fills {@link contextAccess} with closures over its private members.
 * @internal
 */
import type { LogOutcome, LogEventMeta } from '../event.ts';
import type { LogEventSampler } from '../policy/log-event-sampler.ts';
import type { Decision } from './decision-cache.ts';
import type { LogContext } from './log-context.ts';

/** Filled once by `LogContext`'s static block, before any context exists. */
export const contextAccess = {} as {
  detachChildren(ctx: LogContext): void;
  childEntries(ctx: LogContext): IterableIterator<[string, LogContext]>;
  decision(ctx: LogContext, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision;
  sample(ctx: LogContext, sampler: LogEventSampler, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean;
};

/** Drops every child created by `child()` (used by the facade's reset). Internal. */
export const detachLogContextChildren = (ctx: LogContext): void => contextAccess.detachChildren(ctx);

/** The children created by `child()`, by segment. Internal. */
export const logContextChildren = (ctx: LogContext): IterableIterator<[string, LogContext]> => contextAccess.childEntries(ctx);

/** The cached decision for an event of `ctx`: `false`, `true` or the sampler deciding per event. Never throws. Internal (`logInvocation`). */
export const logContextDecision = (ctx: LogContext, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision =>
  contextAccess.decision(ctx, meta, level, outcome);

/** Runs a sampler on one event of `ctx` (counted as in `logEvent`): whether it is kept. Never throws. Internal (`logInvocation`). */
export const sampleInContext = (ctx: LogContext, sampler: LogEventSampler, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean =>
  contextAccess.sample(ctx, sampler, meta, level, outcome);

/**
 * How a `logInvocation` call ends, shared by the logged path and the quiet one (disabled and
 * unobserved, where only failures are logged): the result's settlement (a native promise, a
 * foreign thenable, or a plain value), the outcome (`success`, `failed` or `cancelled`, with the
 * error rules), its event and the observers' end. Nothing here throws into the caller. Internal.
 */
import { epochMsAt } from '../../internal/clock.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { buildLogEvent } from '../build-event.ts';
import type { LogContext } from '../context/log-context.ts';
import type { LogEventMeta } from '../event.ts';
import type { JsonObject } from '../json.ts';
import type { LogEventSampler } from '../policy/log-event-sampler.ts';
import { isCancellation, isErrorLogged, markErrorLogged } from './error-tracking.ts';
import { endObservers } from './observers.ts';
import type { ActiveScope } from './observers.ts';
import type { InvocationPlan } from './options.ts';
import { buildOutcomePayload } from './payload-builder.ts';

/** State of one logged call, shared by its outcome handlers. */
export interface Call {
  readonly plan: InvocationPlan;
  readonly ctx: LogContext;
  readonly meta: LogEventMeta;
  readonly self: unknown;
  readonly args: readonly unknown[];
  readonly enabled: boolean;
  /** `performance.now()` at the start; `undefined` on the quiet (disabled, unobserved) path. */
  readonly startTime: number | undefined;
  readonly scopes: readonly ActiveScope[] | undefined;
  /** The observers' correlation for the call's own events (its span), when one gives it. */
  readonly correlation?: Readonly<Record<string, string>> | undefined;
  /** The sampler that sampled out the call's invoke event (and its success), if one did. */
  readonly sampledOut?: LogEventSampler | undefined;
}

/** A call on the quiet path: not enabled, no clock read, no observer. */
export function quietCall(plan: InvocationPlan, ctx: LogContext, meta: LogEventMeta, self: unknown, args: unknown[], sampledOut?: LogEventSampler): Call {
  return { plan, ctx, meta, self, args, enabled: false, startTime: undefined, scopes: undefined, sampledOut };
}

/**
 * Observes how the call's result `r` settles: a native promise on the side (the caller gets the
 * promise itself; the rejection handler marks it as handled, so an ignored rejection is logged as
 * `failed` rather than reported by Node as unhandled), a foreign thenable with `thenables:
 * 'observe'`, anything else as a success now. On the quiet path only failures are logged, so a
 * plain value needs nothing there: the quiet path builds no `Call` for it (see `needsWatching`).
 */
export function settle(call: Call, r: unknown): void {
  if (isNativePromise(r)) {
    const onSuccess = call.enabled || call.scopes !== undefined ? (value: unknown) => endSuccess(call, value) : undefined;
    try {
      r.then(onSuccess, (error: unknown) => endFailed(call, error));
    } catch (error) {
      reportThen(call.plan, error); // a Promise subclass whose then() or species constructor throws
      endSuccess(call, r);
    }
  } else if (call.plan.observeThenables && isThenable(r)) {
    observeThenable(call, r);
  } else {
    endSuccess(call, r);
  }
}

/** Whether a result on the quiet path needs watching (a promise, or an observed thenable). */
export function needsWatching(plan: InvocationPlan, r: unknown): boolean {
  return isNativePromise(r) || (plan.observeThenables && isThenable(r));
}

function reportThen(plan: InvocationPlan, error: unknown): void {
  reportDiagnostic({
    component: 'logInvocation',
    code: 'thenable.failed',
    message: `event '${plan.event}': the returned promise's then() threw; its settlement cannot be observed (the call counts as returned)`,
    error,
  });
}

/**
 * `value instanceof Promise`, but false instead of a throw for a Proxy whose `getPrototypeOf` trap
 * throws (`instanceof` consults it): the caller's own return value must never make the wrapper throw.
 */
function isNativePromise(value: unknown): value is Promise<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/** Subscribes once to a foreign thenable (option `thenables: 'observe'`). */
function observeThenable(call: Call, r: PromiseLike<unknown>): void {
  let settled = false;
  try {
    r.then(
      (value) => {
        if (settled) return;
        settled = true;
        if (call.enabled || call.scopes !== undefined) endSuccess(call, value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        endFailed(call, error);
      },
    );
  } catch (error) {
    reportDiagnostic({
      component: 'logInvocation',
      code: 'thenable.failed',
      message: `event '${call.plan.event}': the returned thenable's then() threw; the call is logged as returned`,
      error,
    });
    if (!settled && (call.enabled || call.scopes !== undefined)) endSuccess(call, r);
    settled = true;
  }
}

// The events' timestamps reuse the clock reads taken for durationMs (epoch ms, sub-ms precision,
// the same clock as `preciseNow()`): one `performance.now()` per outcome instead of two.

/** `[durationMs, timestamp]` at the end of a call; both `undefined` on the quiet path (no clock read). */
function clock(call: Call): [number, number] | [undefined, undefined] {
  if (call.startTime === undefined) return [undefined, undefined];
  const now = performance.now();
  return [now - call.startTime, epochMsAt(now)];
}

export function emit(
  ctx: LogContext,
  level: number,
  meta: LogEventMeta,
  outcome: string,
  payload: JsonObject,
  timestamp: number | undefined,
  correlation?: Readonly<Record<string, string>>,
): void {
  try {
    ctx.emitLogEvent(buildLogEvent({ level, meta, outcome, payload, timestamp, correlation }));
  } catch (error) {
    // Only the context's `raise` error handling throws here; logging never breaks the call.
    reportDiagnostic({
      component: 'logInvocation',
      code: 'emit.failed',
      message: `the '${outcome}' event of '${meta.name}' could not be delivered`,
      error,
    });
  }
}

function endSuccess(call: Call, result: unknown): void {
  const [durationMs, timestamp] = clock(call);
  let payload: JsonObject | undefined;
  const { plan, ctx } = call;
  // Never throws: this may run as a promise reaction, where a throw would be an unhandled rejection.
  try {
    if (call.enabled && plan.levels.success >= ctx.minLevel) {
      payload = buildOutcomePayload(plan, ctx, { outcome: 'success', self: call.self, args: call.args, result, durationMs });
      emit(ctx, plan.levels.success, call.meta, 'success', payload, timestamp, call.correlation);
    }
  } catch (internal) {
    reportInternal(plan, 'success', internal);
  }
  if (call.scopes !== undefined) {
    const end: { outcome: 'success'; durationMs: number; payload?: JsonObject } = { outcome: 'success', durationMs: durationMs ?? 0 };
    if (payload !== undefined) end.payload = payload;
    endObservers(call.scopes, end);
  }
}

/**
 * Decides failed vs cancelled, applies the error policy, logs, marks the error. Never throws. After
 * a sampled-out invoke, the failure is logged with `invokeSampledOut: true`, or (the sampler does
 * not keep failures: `exemptErrors: false`) not at all, and the error is then left unmarked so that
 * an outer call logs it.
 */
export function endFailed(call: Call, error: unknown): void {
  const [durationMs, timestamp] = clock(call);
  const { plan, ctx } = call;
  let outcome: 'failed' | 'cancelled';
  let level: number;
  let logError: boolean;
  let payload: JsonObject | undefined;
  try {
    if (isCancellation(error, call.args)) {
      outcome = 'cancelled';
      level = plan.levels.cancelled;
      logError = !isErrorLogged(error);
    } else {
      outcome = 'failed';
      const rule = matchRule(plan, error);
      logError = rule === 'full' || (rule === undefined && !isErrorLogged(error));
      level = logError ? plan.levels.failed : plan.levels.failedSuppressed;
    }
    const sampledOut = call.sampledOut;
    const leftOut = sampledOut !== undefined && !sampledOut.keepsFailures;
    if (!leftOut) markErrorLogged(error);
    if (!leftOut && level >= ctx.minLevel) {
      payload = buildOutcomePayload(plan, ctx, { outcome, self: call.self, args: call.args, error, logError, durationMs });
      if (sampledOut !== undefined) payload.invokeSampledOut = true;
      emit(ctx, level, call.meta, outcome, payload, timestamp, call.correlation);
    }
  } catch (internal) {
    outcome = 'failed';
    reportInternal(plan, 'failure', internal);
  }
  if (call.scopes !== undefined) {
    const end: { outcome: 'failed' | 'cancelled'; durationMs: number; error: unknown; payload?: JsonObject } = {
      outcome,
      durationMs: durationMs ?? 0,
      error,
    };
    if (payload !== undefined) end.payload = payload;
    endObservers(call.scopes, end);
  }
}

/** A bug or a hostile value met while logging: reported, never thrown into the caller. */
export function reportInternal(plan: InvocationPlan, what: string, error: unknown): void {
  reportDiagnostic({
    component: 'logInvocation',
    code: 'internal',
    message: `event '${plan.event}': logging the ${what} outcome failed; the call is unaffected`,
    error,
  });
}

/** The first matching error rule's action, if any. A throwing `test` does not match (reported once). */
function matchRule(plan: InvocationPlan, error: unknown): 'full' | 'suppressed' | undefined {
  for (const rule of plan.errors) {
    if (rule.error !== undefined && !(error instanceof rule.error)) continue;
    if (rule.test !== undefined) {
      let ok = false;
      try {
        ok = rule.test(error) === true;
      } catch (e) {
        if (!plan.reported.field.has('errors.test')) {
          plan.reported.field.add('errors.test');
          reportDiagnostic({
            component: 'logInvocation',
            code: 'error-rule.failed',
            message: `event '${plan.event}': an error rule's test threw; treated as no match (reported once)`,
            error: e,
          });
        }
      }
      if (!ok) continue;
    }
    return rule.log;
  }
  return undefined;
}

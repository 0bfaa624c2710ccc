/**
 * `logInvocation`: an operation's lifecycle (`invoke`, then `success`, `failed` or `cancelled`) as
 * structured events, as a standard (TC39) method decorator or as a function wrapper.
 *
 * @module
 */
import { epochMsAt } from '../../internal/clock.ts';
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { buildLogEvent } from '../build-event.ts';
import { configGeneration } from '../context/config-generation.ts';
import { boundMetadata } from '../context/event-options.ts';
import type { LogContext } from '../context/log-context.ts';
import type { LogEventMeta, LogSource } from '../event.ts';
import type { JsonObject } from '../json.ts';
import type { LogEventPolicy } from '../policy.ts';
import { reportThisContextFailed, reportThisEntityIdFailed, resolveContext, resolveEntityId } from './context-resolution.ts';
import { isCancellation, isErrorLogged, markErrorLogged } from './error-tracking.ts';
import { endObservers, hasObserverFor, observerState, runInScopes, scopesCorrelation, startObservers } from './observers.ts';
import type { ActiveScope, CallBox } from './observers.ts';
import { compileInvocationOptions } from './options.ts';
import type { InvocationPlan, LogInvocationOptions } from './options.ts';
import { buildOutcomePayload } from './payload-builder.ts';

type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * What `logInvocation(options)` returns: a standard (TC39) method decorator that is also a plain
 * function wrapper. The wrapped function keeps `this`, its name, its `length` and its return shape.
 */
export type LogInvocationDecorator<This = any> = <F extends (this: This, ...args: any[]) => any>(
  fn: F,
  context?: ClassMethodDecoratorContext<This, F>,
) => F;

/**
 * Logs each call of a function or method as a lifecycle of events: `invoke` before the call, then
 * `success`, `failed` or `cancelled` (with `durationMs`) when it returns, throws, or (for a returned
 * Promise) settles.
 *
 * - Sync stays sync; a returned Promise is observed on the side and returned as is (same object).
 * - The context comes from option `context`, else `this.logContext` / `this.getLogContext()`, else
 *   option `namespace`, else the facade's root; a provider giving `undefined` disables logging.
 * - One policy decision per call (`context.isEventEnabled(meta, level, 'invoke')`, at the lower of the
 *   invoke and success levels that pass the context's minimum level)
 *   gates `invoke` and `success`; `failed` and `cancelled` are emitted regardless of the policy
 *   (each outcome still needs its level at or above the context's minimum level).
 * - Logging never throws into the caller; the call's own errors are rethrown untouched.
 *
 * @example
 * ```ts
 * class Directory {
 *   logContext = getLogContext('ldap');
 *   \@logInvocation({ event: 'bind', params: ['userDn', 'password'], args: ['userDn'], result: ['ok'] })
 *   async bind(userDn: string, password: string): Promise<{ ok: boolean }> { ... }
 * }
 * const fetchUser = logInvocation({ event: 'user.fetch', namespace: 'api', args: ['0'] })(rawFetchUser);
 * ```
 *
 * @throws MvxConfigError when an option is invalid: a bad event name, a malformed field spec, an
 *   `args` spec naming a parameter missing from `params`, a bad level (thrown by `logInvocation(...)`);
 *   or when the decorator is applied to something that is not a method or function.
 */
export function logInvocation<This = any>(options: LogInvocationOptions<This>): LogInvocationDecorator<This> {
  const plan = compileInvocationOptions(options as LogInvocationOptions);
  const segments = plan.namespace ? plan.namespace.split('.') : [];
  const decorate = <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext<This, F>): F => {
    if (typeof fn !== 'function') {
      throw new MvxConfigError(
        'target',
        'logInvocation wraps a function or decorates a method (standard TC39 decorators; experimentalDecorators is not supported)',
      );
    }
    let name = fn.name;
    if (context !== undefined && context !== null) {
      if (typeof context !== 'object') {
        throw new MvxConfigError('target', 'legacy (experimentalDecorators) decorators are not supported: use standard TC39 decorators');
      }
      if (context.kind !== 'method') {
        throw new MvxConfigError('target', `logInvocation decorates methods, not ${String((context as { kind?: unknown }).kind)}`);
      }
      name = typeof context.name === 'symbol' ? (context.name.description ?? '') : context.name;
    }
    return wrap(plan, segments, fn, name) as F;
  };
  return decorate as LogInvocationDecorator<This>;
}

/** State of one logged call, shared by its outcome handlers. */
interface Call {
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
}

function wrap(plan: InvocationPlan, segments: readonly string[], fn: AnyFunction, name: string): AnyFunction {
  // An anonymous function has no name worth a `source`.
  const source: LogSource | undefined = name === '' ? undefined : Object.freeze({ functionName: boundMetadata(name) });
  const fixedContext = plan.fixedContext;
  const hasEntityGetter = plan.entityId !== undefined;
  const observeThenables = plan.observeThenables;
  const byThis = plan.contextKind === 'default';
  let lastThisContext: LogContext | undefined;
  // Per decorated function: the last metadata built and the last policy decision, so a call on the
  // same context and entity does not rebuild meta or re-ask the context (the disabled path's cost).
  let mNamespace: string | undefined;
  let mEntityId: string | undefined;
  let mMeta: LogEventMeta | undefined;
  let dCtx: LogContext | undefined;
  let dMeta: LogEventMeta | undefined;
  let dGen = -1;
  let dPolicy: LogEventPolicy | undefined;
  let dVersion: number | undefined;
  let dEnabled = false;

  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    let ctx: LogContext | undefined;
    if (fixedContext !== undefined) ctx = fixedContext;
    else {
      // Fast path for `this.logContext` holding the context seen last time (already validated).
      let lc: unknown;
      if (byThis && this !== undefined && this !== null) {
        try {
          lc = (this as { logContext?: unknown }).logContext;
        } catch (error) {
          // A throwing getter is a provider that throws: reported once, the call runs unlogged.
          reportThisContextFailed(plan, error);
          return fn.apply(this, args);
        }
      }
      if (lc !== undefined && lc === lastThisContext) ctx = lastThisContext;
      else {
        ctx = resolveContext(plan, segments, this);
        if (ctx !== undefined && ctx === lc) lastThisContext = ctx;
      }
    }
    if (ctx === undefined) return fn.apply(this, args);
    let entityId: string | undefined;
    if (hasEntityGetter) entityId = resolveEntityId(plan, this, args);
    else if (this !== undefined && this !== null) {
      let e: unknown;
      try {
        e = (this as { entityId?: unknown }).entityId;
      } catch (error) {
        // A throwing getter: reported once, the event has no entity id, the call goes on.
        reportThisEntityIdFailed(plan, error);
      }
      entityId = typeof e === 'string' ? e : e === undefined ? undefined : resolveEntityId(plan, this, args);
    }
    const namespace = ctx.namespace;
    let meta = mMeta;
    if (meta === undefined || namespace !== mNamespace || entityId !== mEntityId) {
      const m: { namespace: string; name: string; entityId?: string; source?: LogSource } = { namespace, name: boundMetadata(plan.event) };
      // Metadata strings are bounded as in `LogContext.logEvent` (an id taken from input can be huge).
      if (entityId !== undefined) m.entityId = boundMetadata(entityId);
      if (source !== undefined) m.source = source;
      meta = mMeta = Object.freeze(m);
      mNamespace = namespace;
      mEntityId = entityId;
    }
    let enabled: boolean;
    // Policies are pure functions of their configuration (LogEventPolicy contract): a decision
    // holds until the configuration generation or the policy's version changes.
    if (ctx === dCtx && meta === dMeta && dGen === configGeneration.value && (dPolicy === undefined || dPolicy.version === dVersion)) {
      enabled = dEnabled;
    } else {
      enabled = ctx.isEventEnabled(meta, decisionLevel(plan, ctx.minLevel), 'invoke');
      dCtx = ctx;
      dMeta = meta;
      dGen = configGeneration.value;
      dPolicy = ctx.policy;
      dVersion = dPolicy?.version;
      dEnabled = enabled;
    }
    if (!enabled && (observerState.count === 0 || !hasObserverFor(namespace))) {
      // The quiet path (disabled, unobserved), inlined: only failures are logged.
      let r: unknown;
      try {
        r = fn.apply(this, args);
      } catch (error) {
        quietFailed(plan, ctx, meta, this, args, error);
        throw error;
      }
      if (isNativePromise(r)) watchQuietPromise(r, plan, ctx, meta, this, args);
      else if (observeThenables && isThenable(r)) quietThenable(r, plan, ctx, meta, this, args);
      return r;
    }
    return callLogged(plan, fn, this, args, ctx, meta, enabled);
  };
  Object.defineProperty(wrapper, 'name', { value: name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper;
}

/**
 * The level of the one policy decision: the lower of the invoke and success levels that pass the
 * context's minimum level (so `invoke: INFO, success: DEBUG` under minimum INFO still logs invoke).
 */
function decisionLevel(plan: InvocationPlan, minLevel: number): number {
  const { invoke, success } = plan.levels;
  if (invoke >= minLevel) return success >= minLevel ? Math.min(invoke, success) : invoke;
  return success;
}

function quietCall(plan: InvocationPlan, ctx: LogContext, meta: LogEventMeta, self: unknown, args: unknown[]): Call {
  return { plan, ctx, meta, self, args, enabled: false, startTime: undefined, scopes: undefined };
}

/** A failure on the quiet path (disabled, unobserved): logged without `durationMs` (no clock was read). */
function quietFailed(plan: InvocationPlan, ctx: LogContext, meta: LogEventMeta, self: unknown, args: unknown[], error: unknown): void {
  endFailed(quietCall(plan, ctx, meta, self, args), error);
}

/**
 * Side observation of a promise on the quiet path: the caller gets the promise itself. The handler
 * marks it as handled, so an ignored rejection is not reported as unhandled by Node; it is logged
 * as `failed` instead. (A separate function: a closure capturing `args` in the wrapper would
 * allocate on every call.)
 */
function watchQuietPromise(
  r: Promise<unknown>,
  plan: InvocationPlan,
  ctx: LogContext,
  meta: LogEventMeta,
  self: unknown,
  args: unknown[],
): void {
  const call = quietCall(plan, ctx, meta, self, args);
  try {
    r.then(undefined, (error: unknown) => endFailed(call, error));
  } catch (error) {
    reportThen(plan, error); // a Promise subclass whose then() or species constructor throws
  }
}

function reportThen(plan: InvocationPlan, error: unknown): void {
  reportDiagnostic({
    component: 'logInvocation',
    code: 'thenable.failed',
    message: `event '${plan.event}': the returned promise's then() threw; its settlement cannot be observed (the call counts as returned)`,
    error,
  });
}

function quietThenable(r: PromiseLike<unknown>, plan: InvocationPlan, ctx: LogContext, meta: LogEventMeta, self: unknown, args: unknown[]): void {
  observeThenable(quietCall(plan, ctx, meta, self, args), r);
}

function callLogged(
  plan: InvocationPlan,
  fn: AnyFunction,
  self: unknown,
  args: unknown[],
  ctx: LogContext,
  meta: LogEventMeta,
  enabled: boolean,
): unknown {
  const startTime = performance.now();
  const observed = observerState.count > 0;
  let invokePayload: JsonObject | undefined;
  const emitInvoke = enabled && plan.levels.invoke >= ctx.minLevel;
  if (enabled) {
    try {
      if (emitInvoke || observed) invokePayload = buildOutcomePayload(plan, ctx, { outcome: 'invoke', self, args });
    } catch (internal) {
      reportInternal(plan, 'invoke', internal);
    }
  }
  // Observers start before the invoke event so that it can carry the call's own correlation
  // (an adapter's span), like every event logged inside the call.
  const scopes = observed ? startObservers({ meta, context: ctx, enabled, invokePayload, startTime }) : undefined;
  const correlation = scopes === undefined ? undefined : scopesCorrelation(scopes);
  const call: Call = { plan, ctx, meta, self, args, enabled, startTime, scopes, correlation };
  if (emitInvoke && invokePayload !== undefined) {
    emit(ctx, plan.levels.invoke, meta, 'invoke', invokePayload, epochMsAt(startTime), correlation);
  }
  let r: unknown;
  if (scopes === undefined) {
    try {
      r = fn.apply(self, args);
    } catch (error) {
      endFailed(call, error);
      throw error;
    }
  } else {
    const box: CallBox = { called: false, threw: false, result: undefined, error: undefined };
    runInScopes(scopes, () => fn.apply(self, args), box);
    if (box.threw) {
      endFailed(call, box.error);
      throw box.error;
    }
    r = box.result;
  }
  if (isNativePromise(r)) {
    try {
      r.then(
        (value: unknown) => endSuccess(call, value),
        (error: unknown) => endFailed(call, error),
      );
    } catch (error) {
      reportThen(plan, error); // a Promise subclass whose then() or species constructor throws
      endSuccess(call, r);
    }
  } else if (plan.observeThenables && isThenable(r)) {
    observeThenable(call, r);
  } else {
    endSuccess(call, r);
  }
  return r;
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

function emit(
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

/** Decides failed vs cancelled, applies the error policy, logs, marks the error. Never throws. */
function endFailed(call: Call, error: unknown): void {
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
    markErrorLogged(error);
    if (level >= ctx.minLevel) {
      payload = buildOutcomePayload(plan, ctx, { outcome, self: call.self, args: call.args, error, logError, durationMs });
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
function reportInternal(plan: InvocationPlan, what: string, error: unknown): void {
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

/**
 * `logInvocation`: an operation's lifecycle (`invoke`, then `success`, `failed` or `cancelled`) as
 * structured events, as a standard (TC39) method decorator or as a function wrapper.
 *
 * @module
 */
import { epochMsAt } from '../../internal/clock.ts';
import { MvxConfigError } from '../../errors.ts';
import { DecisionStamp } from '../context/decision-cache.ts';
import type { Decision } from '../context/decision-cache.ts';
import { boundMetadata } from '../context/event-options.ts';
import { logContextDecision, sampleInContext } from '../context/log-context.ts';
import type { LogContext } from '../context/log-context.ts';
import type { LogEventSampler } from '../policy/log-event-sampler.ts';
import type { LogEventMeta, LogSource } from '../event.ts';
import type { JsonObject } from '../json.ts';
import { reportThisContextFailed, reportThisEntityIdFailed, resolveContext, resolveEntityId } from './context-resolution.ts';
import { hasObserverFor, observerState, runInScopes, scopesCorrelation, startObservers } from './observers.ts';
import type { CallBox } from './observers.ts';
import { compileInvocationOptions } from './options.ts';
import type { InvocationPlan, LogInvocationOptions } from './options.ts';
import { emit, endFailed, needsWatching, quietCall, reportInternal, settle } from './outcomes.ts';
import type { Call } from './outcomes.ts';
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
 * - Sampling (a sampling rule covering the invoke event) is decided once per call too: `invoke` and
 *   `success` are kept or sampled out together (counted once in the context's `sampledOut`). A call
 *   whose invoke was sampled out still logs its failure or cancellation, with `invokeSampledOut:
 *   true` in the payload, unless the rule has `exemptErrors: false` (then the whole call is left out).
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

function wrap(plan: InvocationPlan, segments: readonly string[], fn: AnyFunction, name: string): AnyFunction {
  // An anonymous function has no name worth a `source`.
  const source: LogSource | undefined = name === '' ? undefined : Object.freeze({ functionName: boundMetadata(name) });
  const fixedContext = plan.fixedContext;
  const hasEntityGetter = plan.entityId !== undefined;
  const byThis = plan.contextKind === 'default';
  let lastThisContext: LogContext | undefined;
  // Per decorated function: the last metadata built and the last policy decision, so a call on the
  // same context and entity does not rebuild meta or re-ask the context (the disabled path's cost).
  // The decision holds under the decision cache's one rule (`DecisionStamp`).
  let mNamespace: string | undefined;
  let mEntityId: string | undefined;
  let mMeta: LogEventMeta | undefined;
  let dCtx: LogContext | undefined;
  let dMeta: LogEventMeta | undefined;
  const dStamp = new DecisionStamp();
  let dDecision: Decision = false;
  let dLevel = 0;

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
    let decision: Decision;
    if (ctx === dCtx && meta === dMeta && dStamp.isCurrent()) {
      decision = dDecision;
    } else {
      dLevel = decisionLevel(plan, ctx.minLevel);
      decision = logContextDecision(ctx, meta, dLevel, 'invoke');
      dCtx = ctx;
      dMeta = meta;
      dStamp.take(ctx.policy);
      dDecision = decision;
    }
    let enabled: boolean;
    let sampledOut: LogEventSampler | undefined;
    if (typeof decision === 'boolean') enabled = decision;
    else if (!(enabled = sampleInContext(ctx, decision, meta, dLevel, 'invoke'))) sampledOut = decision; // per call, never cached
    if (!enabled && (observerState.count === 0 || !hasObserverFor(namespace))) {
      // The quiet path (disabled, unobserved), inlined: only failures are logged, so a call state
      // is built only for a throw or a result still to settle (no allocation otherwise).
      let r: unknown;
      try {
        r = fn.apply(this, args);
      } catch (error) {
        endFailed(quietCall(plan, ctx, meta, this, args, sampledOut), error);
        throw error;
      }
      if (needsWatching(plan, r)) settle(quietCall(plan, ctx, meta, this, args, sampledOut), r);
      return r;
    }
    return callLogged(plan, fn, this, args, ctx, meta, enabled, sampledOut);
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

function callLogged(
  plan: InvocationPlan,
  fn: AnyFunction,
  self: unknown,
  args: unknown[],
  ctx: LogContext,
  meta: LogEventMeta,
  enabled: boolean,
  sampledOut: LogEventSampler | undefined,
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
  const call: Call = { plan, ctx, meta, self, args, enabled, startTime, scopes, correlation, sampledOut };
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
  settle(call, r);
  return r;
}


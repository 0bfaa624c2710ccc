/**
 * Which LogContext a `logInvocation` call logs through, and its entity id. Never throws: a failing
 * provider is reported once and switches logging off for that call.
 *
 * @module
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { getRootLogContext } from '../context/facade.ts';
import { LogContext } from '../context/log-context.ts';
import type { InvocationPlan } from './options.ts';

/**
 * An object that provides the context its decorated methods log through: a `logContext` property
 * or a `getLogContext()` method. Returning (or holding) `undefined`/`null` switches logging off for
 * that object: its decorated methods run as plain calls.
 */
export interface LogContextProvider {
  readonly logContext?: LogContext | undefined | null;
  getLogContext?(): LogContext | undefined | null;
}

/** An object whose decorated methods' events carry its `entityId` (`meta.entityId`). */
export interface LogEntityIdProvider {
  readonly entityId: string | undefined;
}

function report(plan: InvocationPlan, key: string, code: string, message: string, error?: unknown): void {
  if (plan.reported.field.has(key)) return;
  plan.reported.field.add(key);
  reportDiagnostic({
    component: 'logInvocation',
    code,
    message: `event '${plan.event}': ${message} (reported once)`,
    error,
    details: { event: plan.event },
  });
}

/** A throwing `this.logContext` getter: reported once; the call runs unlogged. */
export function reportThisContextFailed(plan: InvocationPlan, error: unknown): void {
  report(plan, 'context:this', 'context.failed', 'this.logContext threw; the call is not logged', error);
}

/** A throwing `this.entityId` getter: reported once; the event has no entity id. */
export function reportThisEntityIdFailed(plan: InvocationPlan, error: unknown): void {
  report(plan, 'entityId:this', 'entity-id.failed', 'this.entityId threw; the event has no entity id', error);
}

function checked(plan: InvocationPlan, value: unknown, what: string): LogContext | undefined {
  if (value instanceof LogContext) return value;
  if (value !== undefined && value !== null) {
    report(plan, `context:${what}`, 'context.invalid', `${what} gave something that is not a LogContext; the call is not logged`);
  }
  return undefined;
}

/** The facade context of a namespace: the root's children, walked without re-validating. */
function byNamespace(segments: readonly string[]): LogContext {
  let ctx = getRootLogContext();
  for (const s of segments) ctx = ctx.child(s);
  return ctx;
}

/** Resolves the context of one call; `undefined` = do not log this call. */
export function resolveContext(plan: InvocationPlan, segments: readonly string[], self: unknown): LogContext | undefined {
  const kind = plan.contextKind;
  if (kind === 'fixed') return plan.fixedContext;
  if (kind === 'namespace') return byNamespace(segments);
  if (kind === 'provider') {
    try {
      return checked(plan, plan.provider!(self), 'the context option');
    } catch (error) {
      report(plan, 'context:provider', 'context.failed', 'the context option threw; the call is not logged', error);
      return undefined;
    }
  }
  if (self !== null && (typeof self === 'object' || typeof self === 'function')) {
    const s = self as LogContextProvider;
    let lc: LogContextProvider['logContext'];
    try {
      lc = s.logContext;
    } catch (error) {
      reportThisContextFailed(plan, error);
      return undefined;
    }
    if (lc !== undefined) return checked(plan, lc, 'this.logContext');
    const getter = s.getLogContext;
    if (typeof getter === 'function') {
      try {
        return checked(plan, getter.call(self), 'this.getLogContext()');
      } catch (error) {
        report(plan, 'context:getter', 'context.failed', 'this.getLogContext() threw; the call is not logged', error);
        return undefined;
      }
    }
    // A declared but unset `logContext` property: the object provides no context, logging is off.
    if ('logContext' in s) return undefined;
  }
  return byNamespace(segments);
}

/** The entity id of one call: the option's getter, else `this.entityId` (a string, or a number made one). */
export function resolveEntityId(plan: InvocationPlan, self: unknown, args: readonly unknown[]): string | undefined {
  let id: unknown;
  if (plan.entityId !== undefined) {
    try {
      id = plan.entityId(self, args);
    } catch (error) {
      report(plan, 'entityId', 'entity-id.failed', 'the entityId option threw; the event has no entity id', error);
      return undefined;
    }
  } else if (self !== null && (typeof self === 'object' || typeof self === 'function')) {
    try {
      id = (self as Partial<LogEntityIdProvider>).entityId;
    } catch (error) {
      reportThisEntityIdFailed(plan, error);
      return undefined;
    }
  } else {
    return undefined;
  }
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  return undefined;
}

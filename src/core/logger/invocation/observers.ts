/**
 * Invocation observers: the extension point through which adapters (the OpenTelemetry trace
 * adapter, invocation metrics) see every `logInvocation` call without the core importing them.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogEventMeta } from '../event.ts';
import type { JsonObject } from '../json.ts';
import type { LogContext } from '../context/log-context.ts';

/** What an observer learns when a call starts. */
export interface InvocationStart {
  /** The invocation's metadata: `namespace` (of the context), `name` (the event), `entityId`, `source.functionName`. */
  readonly meta: LogEventMeta;
  /** The context the call logs through. */
  readonly context: LogContext;
  /** The policy decision for `invoke` and `success` (failed and cancelled are logged regardless). */
  readonly enabled: boolean;
  /** The normalised invoke payload, when `enabled`. */
  readonly invokePayload: JsonObject | undefined;
  /** `performance.now()` at the start, in ms. */
  readonly startTime: number;
}

/** What an observer learns when a call ends. */
export interface InvocationEnd {
  /** How the call ended. */
  readonly outcome: 'success' | 'failed' | 'cancelled';
  /** Duration in ms (high resolution, from `performance.now()`). */
  readonly durationMs: number;
  /** The thrown error or rejection reason, for `failed` and `cancelled`. */
  readonly error?: unknown;
  /** The normalised outcome payload, when one was built (the outcome was logged). */
  readonly payload?: JsonObject;
}

/** One observed call. */
export interface InvocationScope {
  /**
   * Runs the wrapped call and returns what it returns; an adapter may make a span active around it
   * (`context.with`). Must call `fn` exactly once.
   */
  run<T>(fn: () => T): T;
  /** Called once when the call ends (for a returned promise: when it settles). */
  end(end: InvocationEnd): void;
  /**
   * Correlation ids of the call (e.g. the span an adapter opened for it: `trace_id`, `span_id`,
   * `trace_flags`). When given, the call's own `invoke` and outcome events carry them, so they are
   * tied to the call's span rather than to the enclosing one. Read once, right after `start`.
   */
  readonly correlation?: Readonly<Record<string, string>>;
}

/** Sees the start and end of `logInvocation` calls. */
export interface InvocationObserver {
  /**
   * Called before the call; return `undefined` to not observe this call. Must not throw: a throwing
   * observer is isolated (the call goes on unobserved by it) and reported once.
   */
  start(start: InvocationStart): InvocationScope | undefined;
}

/** Options of {@link addInvocationObserver}. */
export interface AddInvocationObserverOptions {
  /**
   * Observe only calls logging through this context or a context below it (by namespace:
   * `app` covers `app` and `app.db`, not `apps`). @default every call
   */
  context?: LogContext;
}

interface Registration {
  readonly observer: InvocationObserver;
  /** `undefined`: every call; `''`: root, i.e. every call as well. */
  readonly namespace: string | undefined;
  reported: boolean;
}

/**
 * Number of registered observers; read on every call so the unobserved path stays one comparison.
 * @internal
 */
export const observerState = { count: 0 };

// Copy-on-write so a call iterating the list is never disturbed by (un)registration.
let registrations: readonly Registration[] = [];

/**
 * Registers an invocation observer, for every call or for a context subtree. Returns a function
 * that removes it (idempotent). Throws {@link MvxConfigError} when `observer.start` is not a function.
 */
export function addInvocationObserver(
  observer: InvocationObserver,
  options: AddInvocationObserverOptions = {},
): () => void {
  if (observer === null || typeof observer !== 'object' || typeof observer.start !== 'function') {
    throw new MvxConfigError('observer', 'must be an object with a start(start) method');
  }
  const ctx = options.context;
  if (ctx !== undefined && (ctx === null || typeof ctx.namespace !== 'string')) {
    throw new MvxConfigError('options.context', 'must be a LogContext');
  }
  const reg: Registration = { observer, namespace: ctx?.namespace, reported: false };
  registrations = [...registrations, reg];
  observerState.count = registrations.length;
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    registrations = registrations.filter((r) => r !== reg);
    observerState.count = registrations.length;
  };
}

function covers(reg: Registration, namespace: string): boolean {
  const ns = reg.namespace;
  if (ns === undefined || ns === '' || ns === namespace) return true;
  return namespace.length > ns.length && namespace.startsWith(ns) && namespace.charCodeAt(ns.length) === 46; // '.'
}

/** Whether any registered observer covers calls logging through `namespace`. */
export function hasObserverFor(namespace: string): boolean {
  for (const reg of registrations) if (covers(reg, namespace)) return true;
  return false;
}

/** An observer's scope, paired with its registration for failure reports. */
export interface ActiveScope {
  readonly scope: InvocationScope;
  readonly reg: Registration;
}

/** Starts every observer covering the call's context; never throws. */
export function startObservers(start: InvocationStart): ActiveScope[] | undefined {
  let out: ActiveScope[] | undefined;
  for (const reg of registrations) {
    if (!covers(reg, start.meta.namespace)) continue;
    try {
      const scope = reg.observer.start(start);
      if (scope !== undefined && scope !== null) {
        if (typeof scope.run !== 'function' || typeof scope.end !== 'function') {
          reportObserver(reg, 'observer.invalid-scope', 'returned a scope without run() and end()', undefined);
          continue;
        }
        (out ??= []).push({ scope, reg });
      }
    } catch (error) {
      reportObserver(reg, 'observer.failed', 'threw in start(); the call goes on unobserved by it', error);
    }
  }
  return out;
}

/**
 * Runs `call` inside every scope's `run` (the first registered outermost). A scope whose `run`
 * throws without calling, or after calling, the function is isolated: the call happens exactly
 * once and its own result or error is what the caller gets. Returns through `box`.
 */
export function runInScopes(scopes: readonly ActiveScope[], call: () => unknown, box: CallBox): void {
  let fn = (): unknown => {
    // A scope calling fn a second time gets the first call's outcome: the function runs once.
    if (box.called) {
      if (box.threw) throw box.error;
      return box.result;
    }
    box.called = true;
    try {
      box.result = call();
    } catch (error) {
      box.threw = true;
      box.error = error;
      throw error;
    }
    return box.result;
  };
  for (let i = scopes.length - 1; i >= 0; i--) {
    const { scope, reg } = scopes[i]!;
    const inner = fn;
    fn = () => {
      try {
        return scope.run(inner);
      } catch (error) {
        if (box.threw && error === box.error) throw error;
        reportObserver(reg, 'observer.failed', 'threw in run(); the call was made without it', error);
        if (!box.called) return inner();
        if (box.threw) throw box.error;
        return box.result;
      }
    };
  }
  try {
    fn();
  } catch {
    // The call's own error is in box; observer errors were reported above.
  }
  if (!box.called) {
    // A scope's run() returned without calling the function: make the call anyway.
    const reg = scopes[0]!.reg;
    reportObserver(reg, 'observer.failed', 'run() did not call the function; it was called without the scope', undefined);
    try {
      box.called = true;
      box.result = call();
    } catch (error) {
      box.threw = true;
      box.error = error;
    }
  }
}

/** The outcome of a call made through {@link runInScopes}. */
export interface CallBox {
  called: boolean;
  threw: boolean;
  result: unknown;
  error: unknown;
}

/** Ends every scope (innermost first); never throws. */
export function endObservers(scopes: readonly ActiveScope[], end: InvocationEnd): void {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const { scope, reg } = scopes[i]!;
    try {
      scope.end(end);
    } catch (error) {
      reportObserver(reg, 'observer.failed', 'threw in end()', error);
    }
  }
}

function reportObserver(reg: Registration, code: string, message: string, error: unknown): void {
  if (reg.reported) return;
  reg.reported = true;
  reportDiagnostic({
    component: 'logInvocation',
    code,
    message: `an invocation observer ${message} (reported once per observer)`,
    error,
  });
}

/** The correlation of the innermost scope that gives one; never throws. */
export function scopesCorrelation(scopes: readonly ActiveScope[]): Readonly<Record<string, string>> | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    try {
      const c = scopes[i]!.scope.correlation;
      if (c !== undefined && c !== null && typeof c === 'object') return c;
    } catch {
      // A throwing getter on a scope: no correlation from it.
    }
  }
  return undefined;
}

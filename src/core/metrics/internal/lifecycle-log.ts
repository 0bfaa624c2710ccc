/**
 * Optional lifecycle logging of recorders and the runtime through a log context. Structural, so
 * any `LogContext` fits; never throws.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { LogLevel } from '../../logger/level.ts';

/** What the metrics core needs of a log context: `LogContext` satisfies it. */
export interface LifecycleLogContext {
  logEvent(name: string, level: number, payload?: unknown, options?: { outcome?: string; entityId?: string }): void;
}

/** Levels used: lifecycle at INFO, registrations at DEBUG, failures at ERROR. */
export const LIFECYCLE_LEVEL = { lifecycle: LogLevel.INFO, detail: LogLevel.DEBUG, failure: LogLevel.ERROR } as const;

/** Logs one lifecycle event; a throwing context (e.g. `raise` mode) is reported, never propagated. */
export function logLifecycle(
  ctx: LifecycleLogContext | undefined,
  name: string,
  level: number,
  payload: Record<string, unknown>,
  options: { outcome?: string; entityId?: string },
): void {
  if (ctx === undefined) return;
  try {
    ctx.logEvent(name, level, payload, options);
  } catch (error) {
    reportDiagnostic({ component: 'MetricsLifecycleLog', code: 'log.failed', message: `could not log '${name}'`, error });
  }
}

/** Validates the `logContext` option. */
export function isLifecycleLogContext(value: unknown): value is LifecycleLogContext {
  return value !== null && typeof value === 'object' && typeof (value as { logEvent?: unknown }).logEvent === 'function';
}

/** An error as a lifecycle event's payload field: `{ type, message }`. */
export function lifecycleErrorPayload(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { type: error.name, message: error.message } : { type: typeof error, message: String(error) };
}

/** Runs a subclass hook (`onStarting`, `onStopped`) of `component`; a throw is reported and ignored. */
export function runHook(component: string, name: string, hook: () => void): void {
  try {
    hook();
  } catch (error) {
    reportDiagnostic({ component, code: 'hook.failed', message: `${name}() threw; ignored, the recorder goes on`, error });
  }
}

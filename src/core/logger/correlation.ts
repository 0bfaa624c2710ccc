/**
 * Correlation ids for log events: a single process-wide provider (the OpenTelemetry trace adapter
 * registers one returning `trace_id`, `span_id`, `trace_flags`) whose result is attached to every
 * event built by {@link buildLogEvent} as `LogEvent.correlation`.
 *
 * @module
 */
import { reportDiagnostic } from '../diagnostics.ts';

/** Returns the correlation ids of the current execution context, or `undefined` when there are none. */
export type LogCorrelationProvider = () => Readonly<Record<string, string>> | undefined;

let provider: LogCorrelationProvider | undefined;
let reported = false;
/** The last frozen, non-empty record a provider returned (frozen: it cannot have changed since). */
let lastFrozen: object | undefined;

/**
 * Registers (or, with `undefined`, removes) the correlation provider. There is one provider per
 * process; registering replaces the previous one.
 *
 * A provider that throws is reported once through the diagnostic channel (component
 * `LogCorrelation`, code `provider.failed`) and its failures are then ignored: the event is built
 * without correlation ids.
 */
export function setLogCorrelationProvider(fn: LogCorrelationProvider | undefined): void {
  provider = fn;
  reported = false;
  lastFrozen = undefined;
}

/** The registered provider, if any. */
export function getLogCorrelationProvider(): LogCorrelationProvider | undefined {
  return provider;
}

/**
 * Calls the registered provider. Never throws. Returns a frozen record, or `undefined` when
 * there is no provider, it returns nothing, or an empty record.
 */
export function currentLogCorrelation(): Readonly<Record<string, string>> | undefined {
  const p = provider;
  if (p === undefined) return undefined;
  try {
    const ids = p();
    if (ids === undefined || ids === null || typeof ids !== 'object') return undefined;
    // The provider's own frozen record is typically the same object for a whole span: the last one
    // found frozen and non-empty is taken as it is (a sampling decision reads the ids per event).
    if (ids === lastFrozen) return ids;
    if (Object.keys(ids).length === 0) return undefined;
    if (!Object.isFrozen(ids)) return Object.freeze({ ...ids });
    lastFrozen = ids;
    return ids;
  } catch (error) {
    if (!reported) {
      reported = true;
      reportDiagnostic({
        component: 'LogCorrelation',
        code: 'provider.failed',
        message: 'the log correlation provider threw; events are built without correlation ids',
        error,
      });
    }
    return undefined;
  }
}

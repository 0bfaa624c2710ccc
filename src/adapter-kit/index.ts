/**
 * `mvx-common/adapter-kit`: what an adapter needs besides the public API (`mvx-common`) and its
 * backend library. The adapters of this package use nothing else (a test enforces it), so an
 * adapter written elsewhere has exactly the tools they have. docs/adapters.md, "Writing an
 * adapter", walks through one.
 *
 * - Diagnostics: {@link reportDiagnostic}, for what a hot path cannot throw.
 * - Lifecycle: the types (`LifecycleOptions`, `LifecycleReport`, `DeliveryStats`, `Lifecycle`),
 *   one bounded wait ({@link waitBounded}), one run-once helper ({@link Once}), and delivery at
 *   process exit ({@link registerExitDrain}).
 * - Option checks that throw `MvxConfigError` naming the option (`checkInteger`, `checkOneOf`, …).
 * - Time: the library's clock ({@link epochMsNow}) and epoch ms → `[seconds, nanoseconds]`.
 * - Extension points of the core: building a `LogEvent` ({@link buildLogEvent}), series stores
 *   for custom metrics ({@link SeriesStore}), canonical attribute keys ({@link attributesKey}),
 *   the worker-thread port of custom recorders ({@link attachMetricsPort}), the payload-provider
 *   check of custom payload processors ({@link isLogPayloadProvider}).
 *
 * @module
 */

// --- diagnostics --------------------------------------------------------------------------------
export { reportDiagnostic } from '../core/diagnostics.ts';
export type { Diagnostic } from '../core/diagnostics.ts';

// --- lifecycle ----------------------------------------------------------------------------------
export { lifecycleReport } from '../core/lifecycle/types.ts';
export type { Lifecycle, LifecycleOptions, LifecycleReport, DeliveryStats } from '../core/lifecycle/types.ts';
export { waitBounded, pause, MAX_TIMER_MS } from '../core/lifecycle/bounded-wait.ts';
export type { BoundedWaitOptions, BoundedResult } from '../core/lifecycle/bounded-wait.ts';
export { Once } from '../core/lifecycle/once.ts';
export { registerExitDrain } from '../core/lifecycle/exit-drain.ts';
export type { ExitDrainable, ExitDrainRegistration } from '../core/lifecycle/exit-drain.ts';

// --- option checks ------------------------------------------------------------------------------
export {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkMilliseconds,
  checkNumber,
  checkObjectWith,
  checkOneOf,
  checkOptionsObject,
  checkString,
  describeValue,
} from '../core/config/option-checks.ts';
export type { RangeCheck, StringCheck } from '../core/config/option-checks.ts';

// --- time ---------------------------------------------------------------------------------------
export { epochMsNow } from '../core/internal/clock.ts';
export { epochMsToHrTime } from '../core/internal/hr-time.ts';

// --- extension points of the core ---------------------------------------------------------------
export { buildLogEvent } from '../core/logger/build-event.ts';
export type { BuildLogEventInput } from '../core/logger/build-event.ts';
export { SeriesStore, DEFAULT_SERIES_LIMIT } from '../core/metrics/series/series-store.ts';
export type { SeriesEntry } from '../core/metrics/series/series-store.ts';
export { attributesKey } from '../core/metrics/series/attribute-key.ts';
export { attachMetricsPort } from '../core/metrics/worker/attach-metrics-port.ts';
export { isLogPayloadProvider } from '../core/logger/payload/provider.ts';

/**
 * The handle `configure()` returns: one `flush`, `shutdown` and `stats` for everything a document
 * built, in the library's lifecycle vocabulary (bounded, never rejecting, reports).
 *
 * @module
 */
import { closeLogSink, resetLogContexts } from '../index.ts';
import type { AsyncMetricsRecorder, LogContext, LifecycleOptions, LogSink, MetricEvent, MetricsRecorderStats, MetricsRuntime } from '../index.ts';
import type { AdapterComponent, AdapterHandles } from './adapters.ts';
import type { AppliedLogging } from './apply-logging.ts';
import { reloadLogging } from './reload.ts';
import type { ReloadResult, WatchOptions } from './reload.ts';
import { watchForReload } from './reload.ts';
import type { MvxConfigDocument } from './types.ts';

/** Counters of everything a configuration built, by name. */
export interface MvxSystemStats {
  /** Each named sink's `stats()` (a sink without one: `undefined`). */
  readonly sinks: Readonly<Record<string, unknown>>;
  /** Each recorder's `stats()`. */
  readonly recorders: Readonly<Record<string, MetricsRecorderStats>>;
  /** Each adapter component's `stats()` (`prometheus.server`, `statsd.<recorder>`, ...). */
  readonly adapters: Readonly<Record<string, unknown>>;
}

/** What `flush()` and `shutdown()` resolve with: each component's report (or failure), and whether any timed out. */
export interface MvxSystemReport {
  /** `true` when a component's bound passed first. */
  readonly timedOut: boolean;
  /** Reports by component: `sink.<name>`, `recorder.<id>`, `runtime`, and the adapters' names. */
  readonly components: Readonly<Record<string, unknown>>;
  /** Components whose flush or shutdown threw or rejected, with the error. */
  readonly failures: Readonly<Record<string, unknown>>;
}

/** Internal: what `configure()` built. */
export interface Parts {
  document: MvxConfigDocument;
  applied: AppliedLogging;
  rootBefore: ReturnType<LogContext['localSettings']>;
  runtime: MetricsRuntime | undefined;
  recorders: Map<string, AsyncMetricsRecorder<MetricEvent>>;
  adapters: { components: AdapterComponent[]; prometheusUrl?: string };
  adapterHandles: AdapterHandles;
  resource: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  file?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function timedOut(report: unknown): boolean {
  return report !== null && typeof report === 'object' && (report as { timedOut?: unknown }).timedOut === true;
}

/** A running configuration (see the module comment). */
export class MvxSystem {
  /** The file it was read from, when it was (what `reload()` reads again). */
  readonly file: string | undefined;
  /**
   * Resource attributes: the document's `service`, overridden by `OTEL_RESOURCE_ATTRIBUTES` and
   * `OTEL_SERVICE_NAME` (for the OpenTelemetry providers you build: `resourceFromAttributes(system.resource)`).
   */
  readonly resource: Readonly<Record<string, string>>;
  /** The metrics runtime, when the document has `metrics`. */
  readonly runtime: MetricsRuntime | undefined;
  /** The Prometheus endpoint's URL, when the document has `adapters.prometheus`. */
  readonly prometheusUrl: string | undefined;
  readonly #parts: Parts;
  #shutdown: Promise<MvxSystemReport> | undefined;
  #reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, closed: [] } as ReloadResult);
  readonly #unwatch: (() => void)[] = [];

  /** Internal: built by `configure()`. */
  constructor(parts: Parts) {
    this.#parts = parts;
    this.file = parts.file;
    this.resource = parts.resource;
    this.runtime = parts.runtime;
    this.prometheusUrl = parts.adapters.prometheusUrl;
  }

  /** The document applied now (the last one a reload accepted). */
  get document(): MvxConfigDocument {
    return this.#parts.document;
  }

  /** The named sink of the document. */
  sink(name: string): LogSink | undefined {
    return this.#parts.applied.sinks.get(name);
  }

  /**
   * Applies a new document (or the file again) without a restart: validated first; if valid, sinks
   * and contexts (levels, policies, processor settings, sink assignments) change at once between
   * two events; sinks that disappear or change are flushed and closed, equal ones stay open. If
   * invalid, nothing changes. Metrics and adapters need a restart (a change there is an error).
   * Reloads run one at a time. Never rejects: `{ ok: false, error }` says why nothing changed.
   */
  reload(document?: unknown): Promise<ReloadResult> {
    const next = this.#reloading.then(() =>
      this.#shutdown !== undefined
        ? ({ ok: false, error: new Error('the configuration was shut down'), closed: [] } as ReloadResult)
        : reloadLogging(this.#parts, document, (doc, applied) => {
            this.#parts.document = doc;
            this.#parts.applied = applied;
          }),
    );
    this.#reloading = next;
    return next;
  }

  /**
   * Reloads on a signal (`signal: 'SIGHUP'`) and/or when the file changes (`file: true`, debounced);
   * each outcome goes to `onReload` and, on failure, to the diagnostic channel. Returns the stop
   * function (also called by `shutdown()`); holds no process open.
   */
  watch(options: WatchOptions): () => void {
    const stop = watchForReload(this, options);
    this.#unwatch.push(stop);
    return stop;
  }

  /** The recorder of `metrics.recorders.<id>`. */
  recorder<E extends MetricEvent = MetricEvent>(id: string): AsyncMetricsRecorder<E> | undefined {
    return this.#parts.recorders.get(id) as AsyncMetricsRecorder<E> | undefined;
  }

  /** Counters of every sink, recorder and adapter. */
  stats(): MvxSystemStats {
    const sinks: Record<string, unknown> = {};
    for (const [name, sink] of this.#parts.applied.sinks) sinks[name] = (sink as { stats?: () => unknown }).stats?.();
    const recorders: Record<string, MetricsRecorderStats> = {};
    for (const [id, r] of this.#parts.recorders) recorders[id] = r.stats();
    const adapters: Record<string, unknown> = {};
    for (const c of this.#parts.adapters.components) adapters[c.name] = c.stats?.();
    return { sinks, recorders, adapters };
  }

  /** Flushes recorders, then adapters, then sinks (each bounded by `timeoutMs`, default 5000). Never rejects. */
  async flush(options: LifecycleOptions = {}): Promise<MvxSystemReport> {
    const o = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    const jobs: [string, () => unknown][] = [
      ...[...this.#parts.recorders].map(([id, r]): [string, () => unknown] => [`recorder.${id}`, () => r.flush(o)]),
      ...this.#parts.adapters.components.filter((c) => c.afterSinks !== true).map((c): [string, () => unknown] => [c.name, () => c.flush?.(o)]),
      ...[...this.#parts.applied.sinks].map(([name, s]): [string, () => unknown] => [`sink.${name}`, () => s.flush?.(o)]),
      ...this.#parts.adapters.components.filter((c) => c.afterSinks === true).map((c): [string, () => unknown] => [c.name, () => c.flush?.(o)]),
    ];
    return run(jobs);
  }

  /**
   * Stops everything it built, once (later calls return the same promise): the adapters (in reverse
   * order: the StatsD exporters push what is pending), the runtime and its recorders, then restores
   * the facade (`resetLogContexts({ root: true })`, so no context holds a sink being closed) and
   * closes the named sinks this configuration created, in reverse order. Never rejects.
   */
  shutdown(options: LifecycleOptions = {}): Promise<MvxSystemReport> {
    this.#shutdown ??= (async () => {
      for (const stop of this.#unwatch.splice(0)) stop();
      await this.#reloading;
      const o = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
      const p = this.#parts;
      const jobs: [string, () => unknown][] = [
        ...[...p.adapters.components].reverse().filter((c) => c.afterSinks !== true).map((c): [string, () => unknown] => [c.name, () => c.shutdown(o)]),
        ...(p.runtime !== undefined ? [['runtime', () => p.runtime!.shutdown(o)] as [string, () => unknown]] : []),
        ['contexts', () => resetLogContexts({ root: true })],
        ...[...p.applied.owned].reverse().map((name): [string, () => unknown] => [`sink.${name}`, () => closeLogSink(name, o)]),
        ...p.adapters.components.filter((c) => c.afterSinks === true).map((c): [string, () => unknown] => [c.name, () => c.shutdown(o)]),
      ];
      return run(jobs);
    })();
    return this.#shutdown;
  }
}

/** Runs the steps one after the other, collecting reports and failures. */
async function run(jobs: [string, () => unknown][]): Promise<MvxSystemReport> {
  const components: Record<string, unknown> = {};
  const failures: Record<string, unknown> = {};
  let anyTimedOut = false;
  for (const [name, job] of jobs) {
    try {
      const report = await job();
      components[name] = report;
      const closeResult = report as { status?: string; report?: unknown; error?: unknown } | undefined;
      if (timedOut(report) || timedOut(closeResult?.report) || closeResult?.status === 'timeout') anyTimedOut = true;
      if (closeResult?.status === 'failed') failures[name] = closeResult.error;
    } catch (error) {
      failures[name] = error;
    }
  }
  return { timedOut: anyTimedOut, components, failures };
}

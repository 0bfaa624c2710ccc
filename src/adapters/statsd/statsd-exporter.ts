/**
 * Pushes a metrics source to StatsD through the user's hot-shots client.
 */
import {
  lifecycleReport,
  Once,
  reportDiagnostic,
  waitBounded,
  type LifecycleOptions,
} from '../../adapter-kit/index.ts';
import { MvxConfigError } from '../../index.ts';
import type { Metric, MetricsSource } from '../../index.ts';
import { checkDnsPerSend, ClientErrorTap } from './client-error-tap.ts';
import type { StatsdCallOptions, StatsdClientLike } from './client-like.ts';
import type { StatsdLine } from './lines.ts';
import type { StatsdExporterReport, StatsdExporterStats } from './exporter-stats.ts';
import { resolveStatsdOptions, type ResolvedStatsdOptions, type StatsdExporterOptions } from './options.ts';
import { SnapshotPusher, type StatsdSender } from './snapshot-pusher.ts';
import { statsdLookupOf, type StatsdLookup } from './statsd-lookup.ts';

const COMPONENT = 'StatsdExporter';

type HistogramMethod = (stat: string, value: number, options?: StatsdCallOptions) => void;

/**
 * Pushes the metrics of a {@link MetricsSource} to StatsD through a hot-shots client.
 *
 * - Counters: `increment` by the change since the last push (a reset starts again from zero).
 * - Up-down counters and gauges: `gauge` with the current value.
 * - Histograms: `timing` / `histogram` / `distribution` per dialect; in aggregated mode replayed
 *   from the interval's bucket changes (exact counts, values to the bucket), in per-event mode the
 *   exact observation.
 *
 * Failures never reach the caller: the exporter sets the client's `errorHandler` to a wrapper that
 * counts the error, reports it through the library's diagnostics (`statsd.send_failed`) and then
 * calls the handler the client had (if any); the original is put back by {@link shutdown}. Without
 * a handler, hot-shots would throw a cached DNS error from the send call and print the others.
 *
 * @example
 * ```ts
 * import { StatsD } from 'hot-shots';
 * import { StatsdExporter } from 'mvx-common/statsd';
 * const client = new StatsD({ host: '127.0.0.1', port: 8125, maxBufferSize: 1432 });
 * const exporter = new StatsdExporter({ client, source: recorder, prefix: 'myapp' });
 * process.once('SIGTERM', () => void exporter.shutdown().then(() => process.exit(0)));
 * ```
 */
export class StatsdExporter {
  private readonly client: StatsdClientLike;
  private readonly source: MetricsSource;
  private readonly options: ResolvedStatsdOptions;
  private readonly pusher: SnapshotPusher;
  private readonly histogramMethod: HistogramMethod;
  private readonly errorTap: ClientErrorTap;
  private readonly lookup: StatsdLookup | undefined;
  private readonly hasHistogram = new WeakMap<Metric<any>, boolean>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly shutdownOnce = new Once((options: LifecycleOptions) => this.close_(options));
  private closing: Promise<void> | undefined;
  private closed = false;
  private pushes = 0;
  private linesSent = 0;
  private linesFailed = 0;
  private callErrors = 0;
  private pushErrors = 0;
  private timeouts = 0;

  /** @throws MvxConfigError when an option is invalid (the message names it). */
  constructor(options: StatsdExporterOptions) {
    this.options = resolveStatsdOptions(options);
    this.client = options.client;
    this.source = options.source;
    this.histogramMethod = this.pickHistogramMethod();
    this.pusher = new SnapshotPusher(this.options, this.makeSender());

    this.errorTap = new ClientErrorTap(this.client, COMPONENT);
    this.lookup = statsdLookupOf(this.client);
    checkDnsPerSend(this.client, COMPONENT, this.lookup !== undefined);

    if (this.options.mode === 'aggregated') {
      this.timer = setInterval(() => this.pushNow(), this.options.flushIntervalMs);
      this.timer.unref();
      if (this.options.histogramValues === 'exact') {
        const subscribe = this.source.onMetricChanged!.bind(this.source);
        this.unsubscribe = subscribe((metric: Metric<any>) => this.onHistogramChanged(metric));
      }
    } else {
      const subscribe = this.source.onMetricChanged!.bind(this.source);
      this.unsubscribe = subscribe((metric: Metric<any>) => this.onChanged(metric));
    }
  }

  /** Counters since construction. */
  stats(): StatsdExporterStats {
    const { histogramObservationsNotSent, nonFiniteValuesSkipped } = this.pusher.counts;
    const dropped = histogramObservationsNotSent + nonFiniteValuesSkipped;
    return {
      accepted: this.linesSent + dropped + this.linesFailed,
      delivered: this.linesSent,
      dropped,
      failed: this.linesFailed,
      pending: 0,
      pushes: this.pushes,
      linesSent: this.linesSent,
      sendErrors: this.errorTap.errors,
      callErrors: this.callErrors,
      pushErrors: this.pushErrors,
      histogramObservationsNotSent: this.pusher.counts.histogramObservationsNotSent,
      nonFiniteValuesSkipped: this.pusher.counts.nonFiniteValuesSkipped,
      timeouts: this.timeouts,
    };
  }

  /**
   * Sends everything pending: waits for the source to aggregate what was emitted before the call
   * (`source.flush`), pushes (aggregated mode), then flushes the client's buffer (`client.flush`).
   * Never rejects; resolves at the latest after `timeoutMs` (counted in `stats().timeouts`).
   */
  async flush(options: LifecycleOptions = {}): Promise<StatsdExporterReport> {
    if (this.closed) return lifecycleReport(this.stats(), false);
    const inTime = await this.bounded('flush', options.timeoutMs, () => this.flushSteps());
    return lifecycleReport(this.stats(), !inTime);
  }

  /**
   * Stops pushing, sends everything pending (as {@link flush}), then closes the client
   * (`client.close(cb)`, unless `closeClient: false`) and puts back its original `errorHandler`.
   * When the client resolves its host with a {@link createStatsdLookup} lookup, that lookup is
   * closed before the client (and at the latest when the bound is reached): sends still waiting
   * for the host name fail at once and are counted in `stats().sendErrors` before the handler is
   * put back, and a cancellable resolver leaves nothing running that keeps the process alive.
   * Idempotent: later calls return the same promise. Never rejects; bounded by `timeoutMs`.
   */
  shutdown(options: LifecycleOptions = {}): Promise<StatsdExporterReport> {
    return this.shutdownOnce.call(options);
  }

  /** @deprecated Use `shutdown()` (same effect, kept for one release). */
  close(options: LifecycleOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options).then(() => undefined);
    return this.closing;
  }

  private async close_(options: LifecycleOptions): Promise<StatsdExporterReport> {
    const inTime = await this.bounded('close', options.timeoutMs, async () => {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      await this.flushSteps();
      this.closed = true;
      if (this.options.closeClient) {
        await this.closeLookup();
        if (typeof this.client.close === 'function') await this.callClient((cb) => this.client.close!(cb));
      }
    });
    this.closed = true;
    // Also when the bound was reached (a flush waiting for a host name that does not resolve).
    if (this.options.closeClient) await this.closeLookup();
    this.errorTap.release();
    return lifecycleReport(this.stats(), !inTime);
  }

  /**
   * Closes the client's {@link createStatsdLookup} lookup (idempotent): its waiting callers fail
   * with `ECANCELLED`; dgram reports each failed send on the next tick, hot-shots passes it to the
   * error handler, so one turn of the event loop later every one of them is counted.
   */
  private async closeLookup(): Promise<void> {
    if (this.lookup === undefined) return;
    void this.lookup.shutdown();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private async flushSteps(): Promise<void> {
    const source = this.source;
    const timeoutMs = this.options.flushTimeoutMs;
    if (typeof source.flush === 'function' && timeoutMs > 0) {
      const flushed = await waitBounded(() => source.flush!({ timeoutMs }), { timeoutMs });
      if (flushed.status === 'failed') {
        this.pushErrors++;
        reportDiagnostic({ component: COMPONENT, code: 'statsd.source_flush_failed', message: 'source.flush() failed; pushing what is aggregated so far', error: flushed.error });
      } else if (flushed.status === 'timeout') {
        reportDiagnostic({
          component: COMPONENT,
          code: 'statsd.source_flush_timeout',
          message: `source.flush() did not finish within ${timeoutMs} ms; pushing what is aggregated so far`,
          details: { timeoutMs },
        });
      }
    }
    if (this.options.mode === 'aggregated') this.pushNow();
    if (typeof this.client.flush === 'function') await this.callClient((cb) => this.client.flush!(cb));
  }

  /** Calls a callback-style client method; a failure is reported, never thrown. */
  private callClient(call: (cb: (error?: Error | null) => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      try {
        call((error) => {
          if (error) this.errorTap.report(error, false);
          resolve();
        });
      } catch (error) {
        this.callErrors++;
        reportDiagnostic({ component: COMPONENT, code: 'statsd.client_call_failed', message: 'a hot-shots call threw', error });
        resolve();
      }
    });
  }

  /** Runs `work` within the bound; `true` when it finished in time (a failure is reported, not thrown). */
  private async bounded(what: string, timeoutMs: number | undefined, work: () => Promise<void>): Promise<boolean> {
    const limit = timeoutMs ?? this.options.timeoutMs;
    // holdProcess: an awaited flush()/shutdown() at the end of a program must keep it alive until
    // the metrics are out or the bound passes (an unref'ed timer would let Node exit mid-close and
    // lose them: hot-shots' "metrics lost at exit"). The bound keeps it short.
    const result = await waitBounded(work, { timeoutMs: limit, holdProcess: true });
    if (result.status === 'failed') {
      reportDiagnostic({ component: COMPONENT, code: 'statsd.lifecycle_failed', message: `${what}() failed`, error: result.error });
    } else if (result.status === 'timeout') {
      this.timeouts++;
      reportDiagnostic({ component: COMPONENT, code: 'statsd.timeout', message: `${what}() did not finish within ${limit} ms`, details: { timeoutMs: limit } });
      return false;
    }
    return true;
  }

  private pushNow(): void {
    if (this.closed) return;
    try {
      this.pusher.pushAll(this.source.snapshots());
      this.pushes++;
    } catch (error) {
      this.pushErrors++;
      reportDiagnostic({ component: COMPONENT, code: 'statsd.push_failed', message: 'taking or pushing snapshots failed', error });
    }
  }

  private onChanged(metric: Metric<any>): void {
    if (this.closed) return;
    try {
      this.pusher.pushChanged(metric.snapshot());
      this.pushes++;
    } catch (error) {
      this.pushErrors++;
      reportDiagnostic({ component: COMPONENT, code: 'statsd.push_failed', message: 'pushing a changed metric failed', error });
    }
  }

  /**
   * Aggregated mode with `histogramValues: 'exact'`: metrics that have a histogram dimension are
   * pushed on every change (the pusher's state is shared with the periodic push, which then finds
   * nothing new for them); other metrics wait for the periodic push.
   */
  private onHistogramChanged(metric: Metric<any>): void {
    if (this.closed) return;
    try {
      const known = this.hasHistogram.get(metric);
      if (known === false) return;
      const snap = metric.snapshot();
      if (known === undefined) {
        const has = snap.dimensions.some((d) => d.kind === 'histogram');
        this.hasHistogram.set(metric, has);
        if (!has) return;
      }
      this.pusher.pushChanged(snap);
    } catch (error) {
      this.pushErrors++;
      reportDiagnostic({ component: COMPONENT, code: 'statsd.push_failed', message: 'pushing a changed histogram failed', error });
    }
  }

  private pickHistogramMethod(): HistogramMethod {
    const c = this.client;
    const type = this.options.histogramType;
    const method = type === 'timing' ? c.timing : type === 'histogram' ? c.histogram : c.distribution;
    if (typeof method !== 'function') {
      throw new MvxConfigError('histogramType', `'${type}' needs a client with a ${type}() method (hot-shots has it)`);
    }
    return method as HistogramMethod;
  }

  private makeSender(): StatsdSender {
    const c = this.client;
    const hist = this.histogramMethod;
    return (line: StatsdLine) => {
      let sent = 0;
      try {
        if (line.type === 'count') c.increment(line.stat, line.value, line.options);
        else if (line.type === 'gauge') c.gauge(line.stat, line.value, line.options);
        else for (; sent < line.times; sent++) hist.call(c, line.stat, line.value, line.options);
        this.linesSent += line.times;
      } catch (error) {
        this.linesSent += sent;
        this.linesFailed += line.times - sent;
        this.callErrors++;
        reportDiagnostic({ component: COMPONENT, code: 'statsd.client_call_failed', message: 'a hot-shots call threw', error });
      }
    };
  }
}

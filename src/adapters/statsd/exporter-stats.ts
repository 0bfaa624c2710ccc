/**
 * The counters of the StatsD exporter and what its `flush()` and `shutdown()` resolve with.
 */
import type { DeliveryStats, LifecycleReport } from '../../adapter-kit/index.ts';

/**
 * Counters of a {@link StatsdExporter}; every value only grows. The delivery counts are in StatsD
 * lines: `accepted = delivered + dropped + failed + pending`.
 */
export interface StatsdExporterStats extends DeliveryStats {
  /** Lines the pushes made (histogram observations left out by the cap and non-finite values included). */
  readonly accepted: number;
  /** Lines handed to the client (`linesSent`). */
  readonly delivered: number;
  /** Lines not sent on purpose: `histogramObservationsNotSent + nonFiniteValuesSkipped`. */
  readonly dropped: number;
  /** Lines whose client call threw. */
  readonly failed: number;
  /** Always 0: what the client buffers is the client's (`flush()` sends it). */
  readonly pending: number;
  /** Pushes done: timer ticks and `flush()` calls in aggregated mode, handled changes in per-event mode. */
  readonly pushes: number;
  /**
   * StatsD lines handed to the client (one per `increment`/`gauge`/`timing`/... call). How many
   * datagrams carry them is the client's business (`maxBufferSize`).
   */
  readonly linesSent: number;
  /** Failures the client reported through its `errorHandler` or socket `error` event (DNS, socket, close). */
  readonly sendErrors: number;
  /** Client calls that threw synchronously (caught and reported). */
  readonly callErrors: number;
  /** Snapshots or per-event pushes that threw (a faulty source; caught and reported). */
  readonly pushErrors: number;
  /** Histogram observations not sent because of `maxHistogramLinesPerSeries`. */
  readonly histogramObservationsNotSent: number;
  /** NaN or infinite values not sent. */
  readonly nonFiniteValuesSkipped: number;
  /** `flush()`/`shutdown()` calls that reached their time-out. */
  readonly timeouts: number;
}

/** What `flush()` and `shutdown()` resolve with: the counters then, and whether the bound passed first. */
export type StatsdExporterReport = StatsdExporterStats & LifecycleReport;

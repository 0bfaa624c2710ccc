/**
 * The seeds' domain: a document store that reports save attempts as metric events, and the
 * metric that interprets them. Shared by the examples in this folder.
 *
 * The domain owns the meaning (which outcomes exist, how they are counted); the recorder only
 * delivers events. `DocumentSaveAttemptsMetric` is hand-written to show the `Metric` contract;
 * `new OutcomeCounterMetric({ name, eventTypes, outcomes: ['success', 'failure'] })` gives the
 * same snapshot ready-made.
 */
import type { Metric, MetricSnapshot, MetricsRecorder, NumberDimension } from 'mvx-common';

/** The fact: one save attempt and how it ended. */
export interface DocumentSaveAttemptEvent {
  readonly type: 'document_storage.save.attempt';
  readonly outcome: 'success' | 'failure';
}

/** Counts save attempts: `total`, `success_total`, `failure_total`; ignores other events. */
export class DocumentSaveAttemptsMetric implements Metric<DocumentSaveAttemptEvent> {
  readonly name = 'document_storage.save.attempts';
  readonly eventTypes = ['document_storage.save.attempt'] as const;
  private readonly startTimeMs = Date.now();
  private total = 0;
  private success = 0;
  private failure = 0;

  handle(event: DocumentSaveAttemptEvent): boolean {
    if (event.type !== 'document_storage.save.attempt') return false;
    this.total++;
    if (event.outcome === 'success') this.success++;
    else this.failure++;
    return true;
  }

  snapshot(): MetricSnapshot {
    const dim = (name: string, value: number): NumberDimension => ({ name, kind: 'counter', series: [{ attributes: {}, value }] });
    return {
      name: this.name,
      description: 'Document save attempts by outcome',
      unit: '1',
      startTimeMs: this.startTimeMs,
      timeMs: Date.now(),
      dimensions: [dim('total', this.total), dim('success_total', this.success), dim('failure_total', this.failure)],
    };
  }
}

/** The domain component: takes an optional recorder (`undefined` = metrics off). */
export class DocumentStorage {
  private readonly documents = new Map<string, string>();
  private readonly metrics: MetricsRecorder<DocumentSaveAttemptEvent> | undefined;

  constructor(metrics?: MetricsRecorder<DocumentSaveAttemptEvent>) {
    this.metrics = metrics;
    // Metrics must never break the domain: registration problems are swallowed.
    try {
      metrics?.registerMetric(new DocumentSaveAttemptsMetric());
    } catch {
      // metrics off
    }
  }

  /** Saves a document; throws on an invalid one. Either way, one attempt event is emitted. */
  save(id: string, content: string): void {
    if (id.trim() === '' || content === '') {
      this.metrics?.emit({ type: 'document_storage.save.attempt', outcome: 'failure' });
      throw new Error(`invalid document '${id}'`);
    }
    this.documents.set(id, content);
    this.metrics?.emit({ type: 'document_storage.save.attempt', outcome: 'success' });
  }
}

/** `total/success/failure` of a snapshot, e.g. `3/2/1`. */
export function attemptsLine(snapshot: MetricSnapshot): string {
  return snapshot.dimensions.map((d) => (d as NumberDimension).series[0]?.value ?? 0).join('/');
}

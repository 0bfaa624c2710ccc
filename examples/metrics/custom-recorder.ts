/**
 * A custom recorder: a subclass that opens a publisher when it starts, publishes every change,
 * and closes the publisher when it stops. Run: `npm run example -- metrics/custom-recorder`.
 */
import { AsyncMetricsRecorder } from 'mvx-common';
import type { MetricEvent } from 'mvx-common';
import { DocumentSaveAttemptsMetric, attemptsLine } from './document-storage-domain.ts';

interface PublishedChange {
  recorderId: string;
  metricName: string;
  eventType: string;
  snapshot: string;
}

/** Stands for a dashboard feed, a websocket, a test probe... */
class InMemoryPublisher {
  readonly records: PublishedChange[] = [];
  isOpen = false;
  open(): void {
    this.isOpen = true;
  }
  close(): void {
    this.isOpen = false;
  }
  publish(change: PublishedChange): void {
    if (!this.isOpen) throw new Error('publisher is closed');
    this.records.push(change);
  }
}

class PublishingMetricsRecorder extends AsyncMetricsRecorder {
  readonly publisher = new InMemoryPublisher();

  constructor(id: string) {
    super({ id });
    this.onMetricChanged((metric, event) =>
      this.publisher.publish({ recorderId: this.id, metricName: metric.name, eventType: event.type, snapshot: attemptsLine(metric.snapshot()) }),
    );
  }

  protected override onStarting(): void {
    this.publisher.open();
  }

  protected override onStopped(): void {
    this.publisher.close();
  }
}

const recorder = new PublishingMetricsRecorder('publishing-example');
recorder.registerMetric(new DocumentSaveAttemptsMetric());
console.log(`publisher open before start: ${recorder.publisher.isOpen}`);
const events: (MetricEvent & { outcome: string })[] = [
  { type: 'document_storage.save.attempt', outcome: 'success' },
  { type: 'document_storage.save.attempt', outcome: 'success' },
  { type: 'document_storage.save.attempt', outcome: 'failure' },
];
for (const e of events) recorder.emit(e); // the first emit starts the recorder
console.log(`publisher open while running: ${recorder.publisher.isOpen}`);
await recorder.stop();
console.log(`publisher open after stop: ${recorder.publisher.isOpen}`);
for (const r of recorder.publisher.records) console.log(`${r.recorderId} ${r.metricName} ${r.eventType} ${r.snapshot}`);
console.log(`final ${attemptsLine(recorder.snapshots()[0]!)}`);

/**
 * The post-aggregation hook: a listener is told which metric changed because of which event, and
 * can read its progressive state. Run: `npm run example -- metrics/metric-changed-hook`.
 */
import { AsyncMetricsRecorder } from 'mvx-common';
import type { MetricEvent } from 'mvx-common';
import { DocumentSaveAttemptsMetric, attemptsLine } from './document-storage-domain.ts';

const recorder = new AsyncMetricsRecorder<MetricEvent & { outcome?: string }>({ id: 'hook-example' });
recorder.registerMetric(new DocumentSaveAttemptsMetric());

const records: { metricName: string; eventType: string; snapshot: string }[] = [];
recorder.onMetricChanged((metric, event) => {
  records.push({ metricName: metric.name, eventType: event.type, snapshot: attemptsLine(metric.snapshot()) });
});

recorder.emit({ type: 'document_storage.save.attempt', outcome: 'success' });
recorder.emit({ type: 'document_storage.unrelated' }); // no metric accepts it: no record
recorder.emit({ type: 'document_storage.save.attempt', outcome: 'success' });
recorder.emit({ type: 'document_storage.save.attempt', outcome: 'failure' });
await recorder.stop(); // stop flushes

for (const r of records) console.log(`${r.metricName} ${r.eventType} ${r.snapshot}`);

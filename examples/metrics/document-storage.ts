/**
 * The recommended integration: a MetricsRuntime owns the recorder, the domain class gets it as an
 * optional dependency. Run: `npm run example -- metrics/document-storage`.
 */
import { MetricsRuntime } from 'mvx-common';
import type { NumberDimension } from 'mvx-common';
import { DocumentStorage } from './document-storage-domain.ts';
import type { DocumentSaveAttemptEvent } from './document-storage-domain.ts';

async function main(): Promise<void> {
  const runtime = new MetricsRuntime({ namespace: 'examples.document_storage' });
  try {
    const recorder = runtime.createRecorder<DocumentSaveAttemptEvent>('document_storage');
    const storage = new DocumentStorage(recorder);
    storage.save('a', 'first');
    storage.save('b', 'second');
    try {
      storage.save('', 'invalid');
    } catch {
      // expected: the failure is counted
    }
    await recorder.flush(); // every event emitted so far is now in the snapshots
    for (const snapshot of recorder.snapshots()) {
      const dims = snapshot.dimensions.map((d) => `${d.name}=${(d as NumberDimension).series[0]?.value ?? 0}`);
      console.log(`${snapshot.name} ${dims.join(' ')}`);
    }
  } finally {
    await runtime.shutdown({ timeoutMs: 5000 });
  }
  console.log(`runtime ${runtime.state}`);
}

await main();

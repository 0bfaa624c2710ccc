/**
 * Four worker threads log through the main thread's contexts into ONE file.
 * Run: `npm run example -- worker-threads-logs`.
 *
 * Each thread builds and normalises its events itself (with the main thread's levels, policy and
 * redaction, sent to it by the LogHub), and the main thread's FileSink writes them all. Every line
 * is there once, and both sides account for every event.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FileSink, LogHub, LogLevel, LogPayloadProcessor, configureLogContext, connectLogHub, getLogContext } from 'mvx-common';

const THREADS = 4;
const EVENTS = 5_000;

if (isMainThread) {
  const dir = mkdtempSync(join(tmpdir(), 'mvx-example-'));
  const sink = new FileSink({ path: join(dir, 'pool.log') });
  configureLogContext('', { sink, minLevel: LogLevel.INFO });
  // Set here, applied in every thread: DEBUG for the pool, and one more sensitive key.
  configureLogContext('pool', { minLevel: LogLevel.DEBUG, payloadProcessor: new LogPayloadProcessor({ redact: { keys: ['card'] } }) });

  const hub = new LogHub();
  const reports = await Promise.all(
    Array.from({ length: THREADS }, (_, index) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { index } });
      hub.attach(worker);
      return new Promise<{ accepted: number; delivered: number; dropped: number; pending: number }>((resolve) => worker.on('message', (m) => m.report && resolve(m.report)));
    }),
  );
  await hub.shutdown();
  const file = await sink.shutdown();

  const lines = readFileSync(join(dir, 'pool.log'), 'utf8').trimEnd().split('\n');
  const payloads = lines.map((l) => JSON.parse(l).payload as { thread: number; i: number; card: string });
  console.log(`lines ${lines.length}, distinct ${new Set(payloads.map((p) => `${p.thread}:${p.i}`)).size}, card redacted in ${payloads.filter((p) => p.card === '[REDACTED]').length}`);
  reports.forEach((r, i) => console.log(`thread ${i}: accepted=${r.accepted} delivered=${r.delivered} dropped=${r.dropped} pending=${r.pending}`));
  console.log(`file sink: accepted=${file.accepted} delivered=${file.delivered} dropped=${file.dropped} failed=${file.failed}`);
  rmSync(dir, { recursive: true, force: true });
} else {
  const { index } = workerData as { index: number };
  const logs = connectLogHub(); // the root of this thread's contexts now logs through the main thread
  await logs.ready(); // the main thread's configuration is applied here
  const log = getLogContext(`pool.thread${index}`);
  for (let i = 0; i < EVENTS; i++) {
    log.debug('item.processed', { thread: index, i, card: '4111 1111 1111 1111' });
    // A bulk loop waits now and then, so it never outruns what the main thread writes.
    if (i % 1000 === 999) await logs.flush();
  }
  parentPort!.postMessage({ report: await logs.shutdown() });
}

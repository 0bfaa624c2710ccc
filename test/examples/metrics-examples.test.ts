import { describe, expect, it } from 'vitest';
import { exampleOutput } from './run-example.ts';

/** Runs `npm run example -- metrics/<name>` and returns its stdout lines. */
async function example(name: string): Promise<string[]> {
  const { stdout } = await exampleOutput(`metrics/${name.replace(/\.ts$/, '')}`);
  return stdout.trim().split('\n');
}

describe('metrics examples', () => {
  it('document-storage: two good saves and one invalid give 3/2/1, then the runtime closes', async () => {
    expect(await example('document-storage.ts')).toEqual([
      'document_storage.save.attempts total=3 success_total=2 failure_total=1',
      'runtime closed',
    ]);
  }, 60_000);

  it('metric-changed-hook: one record per accepted event, progressive 1/1/0, 2/2/0, 3/2/1', async () => {
    expect(await example('metric-changed-hook.ts')).toEqual([
      'document_storage.save.attempts document_storage.save.attempt 1/1/0',
      'document_storage.save.attempts document_storage.save.attempt 2/2/0',
      'document_storage.save.attempts document_storage.save.attempt 3/2/1',
    ]);
  }, 60_000);

  it('custom-recorder: publisher opened on start, closed on stop, three progressive records', async () => {
    expect(await example('custom-recorder.ts')).toEqual([
      'publisher open before start: false',
      'publisher open while running: true',
      'publisher open after stop: false',
      'publishing-example document_storage.save.attempts document_storage.save.attempt 1/1/0',
      'publishing-example document_storage.save.attempts document_storage.save.attempt 2/2/0',
      'publishing-example document_storage.save.attempts document_storage.save.attempt 3/2/1',
      'final 3/2/1',
    ]);
  }, 60_000);

  it('custom-metric: several dimensions, one of them with series by reason', async () => {
    expect(await example('custom-metric.ts')).toEqual([
      'transport.read.attempts.total 5',
      'transport.read.attempts.success_total 1',
      'transport.read.attempts.failure_total 1',
      'transport.read.attempts.timeout_total{reason=idle} 2',
      'transport.read.attempts.timeout_total{reason=tls_handshake} 1',
    ]);
  }, 60_000);

  it('worker-threads: four workers, exact totals, nothing dropped', async () => {
    expect(await example('worker-threads.ts')).toEqual([
      'jobs.total 100000',
      'jobs.success_total 80000',
      'jobs.failure_total 20000',
      'dropped in workers 0, in the recorder 0',
    ]);
  }, 60_000);
});

/**
 * Records waiting in a BatchLogRecordProcessor when the process ends naturally: exported with
 * `flushOnExit` (default), lost without it (the SDK's batch timer is unref'ed); on
 * `process.exit()` nothing can be exported any more, so they are counted and reported. Real child
 * processes, real OTLP/HTTP export to a receiver on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRecords } from '../../e2e/otlp-json.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../e2e/otlp-receiver.ts';

const child = join(import.meta.dirname, 'fixtures', 'exit-child.ts');
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

function run(mode: 'on' | 'off' | 'exit' | 'exit-unknown' | 'unreferenced', count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const flags = mode === 'unreferenced' ? ['--expose-gc'] : [];
    const p = spawn(process.execPath, [...flags, child, receiver.url, mode, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve(stderr);
    });
  });
}

describe('OtelLogSink at natural process exit', () => {
  it('exports the records still queued in the batch processor (flushOnExit, the default)', async () => {
    receiver.bodies.logs.length = 0;
    await run('on', 7);
    const records = logRecords(receiver.bodies.logs);
    expect(records.map((r) => r.eventName)).toEqual(Array(7).fill('child.tick'));
  });

  it('loses them without it: the control that shows the SDK alone does not flush at exit', async () => {
    receiver.bodies.logs.length = 0;
    await run('off', 7);
    expect(logRecords(receiver.bodies.logs)).toHaveLength(0);
  });

  it('a sink nobody refers to any more is kept until the records it emitted are flushed (the exit registry holds it while it holds records)', async () => {
    receiver.bodies.logs.length = 0;
    await run('unreferenced', 5);
    expect(logRecords(receiver.bodies.logs)).toHaveLength(5);
  });

  it('process.exit(): the records the SDK still holds are counted and reported, exactly with the exporter option', async () => {
    receiver.bodies.logs.length = 0;
    const stderr = await run('exit', 4);
    expect(logRecords(receiver.bodies.logs)).toHaveLength(0);
    expect(stderr).toContain(
      '[mvx-common] OtelLogSink exit.not_exported: 4 log record(s) handed to the OpenTelemetry SDK were not exported when the process exited (queued in its processor or in flight)',
    );
  });

  it('process.exit() without the exporter option: reports at most the records emitted since the last completed flush', async () => {
    const stderr = await run('exit-unknown', 3);
    expect(stderr).toContain('[mvx-common] OtelLogSink exit.not_exported: up to 3 log record(s) emitted since the last completed flush may not have been exported');
  });
});

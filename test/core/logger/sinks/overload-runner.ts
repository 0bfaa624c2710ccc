/** Runs the overload child process (see fixtures/overload-child.ts) and parses its report. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const child = join(import.meta.dirname, 'fixtures', 'overload-child.ts');

export interface OverloadResult {
  produced: number;
  peak: number;
  violations: number;
  samples: number;
  report: { accepted: number; delivered: number; dropped: number; failed: number; pending: number; droppedByReason: Record<string, number> };
}

/**
 * Runs the child for `durationMs` with a queue of `maxQueueSize`, or (with `bursts`) for that many
 * bursts of 1,000 events, the sink paced at one batch of 100 per burst; throws if it fails.
 */
export function runOverload(durationMs: number, maxQueueSize: number, bursts?: number): OverloadResult {
  const args = [child, String(durationMs), String(maxQueueSize), ...(bursts === undefined ? [] : [String(bursts)])];
  const res = spawnSync(process.execPath, ['--expose-gc', ...args], {
    encoding: 'utf8',
    timeout: durationMs + 60_000,
  });
  if (res.status !== 0) throw new Error(`overload child failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as OverloadResult;
}


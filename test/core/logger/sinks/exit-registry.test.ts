/**
 * The exit registry holds a sink strongly while it has events pending (TODO of issue 15): a sink
 * nobody refers to any more, whose delivery hangs, is not collected with its events; at exit its
 * queue is counted and reported. Real child process with garbage collection forced.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('exit registry', () => {
  it('a sink with pending events that nothing refers to still counts and reports them at exit', () => {
    const child = join(import.meta.dirname, 'fixtures', 'unreferenced-sink-child.ts');
    const r = spawnSync(process.execPath, ['--expose-gc', child], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '[mvx-common] HungSink sink.exit_dropped: 3 queued event(s) dropped at process exit: this sink cannot deliver synchronously; 2 event(s) were being delivered, outcome unknown (pending)',
    );
  });
});

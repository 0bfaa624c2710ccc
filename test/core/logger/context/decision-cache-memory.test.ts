/**
 * Issue 13: the decision caches are bounded in size, not only in entries. 4,096 distinct 16 KB
 * entity ids kept 64 MB in one context; names with many outcomes multiplied it by the 16 outcome
 * maps. Asserted on retained heap after a real GC (generous bounds: the failures were 16-64 MB).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { LogContext, LogPayloadProcessor, NullSink, PatternLogEventPolicy } from '../../../../src/index.ts';
import type { LogEventPolicy } from '../../../../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function retained(run: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = run();
  gc();
  const growth = process.memoryUsage().heapUsed - before;
  expect(keep).toBeDefined(); // the context stays reachable until measured
  return growth;
}

describe('decision caches are bounded in size', () => {
  it('4,096 distinct 16 KB entity ids retain under 4 MB (64 MB before)', () => {
    const growth = retained(() => {
      const ctx = new LogContext({
        sink: new NullSink(),
        payloadProcessor: new LogPayloadProcessor(),
        policy: new PatternLogEventPolicy({ rules: [{ action: 'deny', entityIds: ['blocked-*'] }] }),
      });
      for (let i = 0; i < 4096; i++) ctx.info('request', undefined, { entityId: `${i}-${'e'.repeat(16 * 1024)}` });
      return ctx;
    });
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  });

  it('16 outcomes × 4,096 names of 256 characters, and full keys of every field at its bound, retain under 4 MB', () => {
    const policy: LogEventPolicy = { isEnabled: (meta) => meta.name.length > 0 };
    const growth = retained(() => {
      const ctx = new LogContext({ namespace: 'app', sink: new NullSink(), payloadProcessor: new LogPayloadProcessor(), policy });
      const pad = 'n'.repeat(250);
      for (let o = 0; o < 16; o++) {
        for (let i = 0; i < 4096; i++) ctx.info(`${i}${pad}`.slice(0, 256), undefined, { outcome: `outcome-${o}` });
      }
      const long = 'x'.repeat(250);
      for (let i = 0; i < 4096; i++) {
        ctx.info(`${i}${long}`, undefined, {
          entityId: `${i}${long}`,
          namespace: `ns${long}`,
          outcome: `o${i}${long}`,
          source: { filePath: `${i}${long}`, functionName: `${i}${long}` },
        });
      }
      expect(ctx.stats().decisionCacheEvictions).toBeGreaterThan(0);
      return ctx;
    });
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  });
});

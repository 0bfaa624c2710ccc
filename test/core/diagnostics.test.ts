import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DIAGNOSTIC_KEY_LIMIT,
  DIAGNOSTIC_OVERFLOW_KEY,
  configureDiagnostics,
  diagnosticCounts,
  diagnosticKeysTracked,
  onDiagnostic,
  reportDiagnostic,
  resetDiagnostics,
} from '../../src/core/diagnostics.ts';

afterEach(() => {
  vi.restoreAllMocks();
  configureDiagnostics({ stderr: 'throttled', summaryIntervalMs: 5_000 });
  resetDiagnostics();
});

describe('diagnostics', () => {
  it('reports from ever-new component names do not grow the counts and throttling state without bound', () => {
    resetDiagnostics();
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let heard = 0;
    const off = onDiagnostic(() => heard++);
    const total = 3 * DIAGNOSTIC_KEY_LIMIT;
    // A component named after a per-tenant sink or recorder: one new key per report.
    for (let i = 0; i < total; i++) reportDiagnostic({ component: `FileSink(tenant-${i})`, code: 'sink.dropped', message: 'x' });
    off();
    const tracked = diagnosticKeysTracked();
    expect(tracked.counts).toBeLessThanOrEqual(DIAGNOSTIC_KEY_LIMIT + 1);
    expect(tracked.printed).toBeLessThanOrEqual(DIAGNOSTIC_KEY_LIMIT);
    // Nothing is lost: every report reached the listener and is counted, the excess under one key.
    expect(heard).toBe(total);
    const counts = diagnosticCounts();
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(counts.get(DIAGNOSTIC_OVERFLOW_KEY)).toBe(total - DIAGNOSTIC_KEY_LIMIT);
    expect(counts.get('FileSink(tenant-0):sink.dropped')).toBe(1);
    // A key already counted keeps its own count once the table is full.
    reportDiagnostic({ component: 'FileSink(tenant-0)', code: 'sink.dropped', message: 'x' });
    expect(diagnosticCounts().get('FileSink(tenant-0):sink.dropped')).toBe(2);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('a burst that stops is still summarised when its interval has passed (no later report needed)', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      resetDiagnostics();
      const lines: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
      for (let i = 1; i <= 3; i++) reportDiagnostic({ component: 'Burst', code: 'x.failed', message: `failure ${i}` });
      expect(lines).toEqual(['[mvx-common] Burst x.failed: failure 1\n']);
      vi.advanceTimersByTime(4_999);
      expect(lines).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(lines[1]).toBe('[mvx-common] Burst x.failed: 2 more since the last report | last: failure 3\n');
      // Nothing further is pending: no repeated summary.
      vi.advanceTimersByTime(60_000);
      expect(lines).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

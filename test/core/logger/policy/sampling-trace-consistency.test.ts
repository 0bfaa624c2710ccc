/**
 * Trace-consistent sampling: two independent processes, each with its own policy, counters and
 * order of events, keep exactly the same traces, and every event of a kept trace.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceKept, traceRandomness, traceThreshold, thresholdHex } from '../../../../src/core/logger/policy/sampling/trace-threshold.ts';

const child = join(import.meta.dirname, 'fixtures', 'trace-sampling-child.ts');

function runService(probability: number, order: 'forward' | 'shuffled', ids: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, String(probability), order], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited ${String(code)}: ${err}`));
      else resolve(JSON.parse(out) as string[]);
    });
    proc.stdin.end(ids.join('\n'));
  });
}

describe('trace-consistent probability sampling', () => {
  it('two independent processes keep the same traces, with both events of each', async () => {
    const ids = Array.from({ length: 2000 }, () => randomBytes(16).toString('hex'));
    const [a, b] = await Promise.all([runService(0.25, 'forward', ids), runService(0.25, 'shuffled', ids)]);
    const tracesOf = (kept: string[], name: string): Set<string> => new Set(kept.filter((k) => k.startsWith(`${name} `)).map((k) => k.split(' ')[1]!));
    const receivedA = tracesOf(a, 'request.received');
    expect(tracesOf(a, 'request.done')).toEqual(receivedA); // both events of a kept trace, none of a dropped one
    expect(tracesOf(b, 'request.received')).toEqual(receivedA); // the other process agrees, trace by trace
    expect(tracesOf(b, 'request.done')).toEqual(receivedA);
    // The decision is the documented function of the id: R (56 low bits) ≥ T = (1 − p) × 2^56.
    expect(receivedA).toEqual(new Set(ids.filter((id) => traceRandomness(id) >= 0.75)));
    // About a quarter (2000 × 0.25 = 500; a binomial's 5 standard deviations are ±97).
    expect(receivedA.size).toBeGreaterThan(400);
    expect(receivedA.size).toBeLessThan(600);
  }, 60_000);

  it('is consistent across probabilities: a trace kept at p is kept at every p′ ≥ p', () => {
    const ids = Array.from({ length: 500 }, () => randomBytes(16).toString('hex'));
    const probabilities = [0, 0.01, 0.1, 0.25, 0.5, 0.9, 1];
    const kept = probabilities.map((p) => new Set(ids.filter((id) => traceKept(id, traceThreshold(p)))));
    for (let i = 1; i < kept.length; i++) for (const id of kept[i - 1]!) expect(kept[i]!.has(id)).toBe(true);
    expect(kept[0]!.size).toBe(0);
    expect(kept.at(-1)!.size).toBe(ids.length);
  });

  it("thresholds are OpenTelemetry's `th` values (OTEP 235 examples)", () => {
    expect(thresholdHex(traceThreshold(0.75))).toBe('4'); // th=4: 75% sampling probability
    expect(thresholdHex(traceThreshold(0.25))).toBe('c');
    expect(thresholdHex(traceThreshold(0.96875))).toBe('08');
    expect(thresholdHex(traceThreshold(1))).toBe('0');
    // R = the last 14 hex digits: at p = 0.5 (T = 0x80000000000000), ...7fffffffffffff is dropped, ...80000000000000 kept.
    expect(traceKept('4bf92f3577b34da6a37fffffffffffff', traceThreshold(0.5))).toBe(false);
    expect(traceKept('4bf92f3577b34da6a380000000000000', traceThreshold(0.5))).toBe(true);
    expect(traceKept('4BF92F3577B34DA6A3FFFFFFFFFFFFFF', traceThreshold(0.5))).toBe(true); // upper-case hex
  });
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The exit registry holds a component weakly while it holds nothing, strongly while it holds
// events: a sink nobody references any more but whose queue still has events must not be
// collected with them (they would be lost without a count or a word).
const child = join(import.meta.dirname, 'fixtures', 'exit-drain-child.ts');
const run = (mode: string): string => {
  const r = spawnSync(process.execPath, ['--expose-gc', child, mode], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('registerExitDrain', () => {
  it('a component that holds events is drained at exit although nothing else references it', () => {
    expect(run('hold')).toBe('drained\n');
  });

  it('a component that holds nothing is held weakly: collected, it is not drained', () => {
    expect(run('weak')).toBe('');
  });
});

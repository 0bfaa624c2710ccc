/**
 * Keeps `npm test` quiet: the library prints `[mvx-common] …` lines on stderr when something goes
 * wrong (diagnostics, sink failures), so a clean run must print none. Tests that provoke such a
 * line on purpose capture it with {@link captureMvxStderr} (and assert on it); any other
 * `[mvx-common]` line written by the test process fails the test that was running.
 *
 * Installed for every test file by `vitest.config.ts` (`setupFiles`). It sees what this process
 * writes to `process.stderr`, including what worker threads print (Node pipes a worker's stderr
 * into the parent's `process.stderr.write`); a child process's output is the spawning test's to check.
 */
import { afterAll, afterEach } from 'vitest';

const MARK = /^\[mvx-common\] /;

interface GuardState {
  /** Lines no capture claimed, since the last check. */
  unexpected: string[];
  /** Active captures; the newest gets the lines. */
  captures: string[][];
  installed: boolean;
}

const key = Symbol.for('mvx-common.test.stderr-guard');
const state: GuardState = ((globalThis as Record<symbol, GuardState | undefined>)[key] ??= {
  unexpected: [],
  captures: [],
  installed: false,
});

/** What a capture holds: the `[mvx-common]` lines written while it was active (without newlines). */
export interface MvxStderrCapture {
  readonly lines: string[];
  /** Stops capturing (otherwise the capture ends with the test). */
  stop(): void;
}

/**
 * Captures the `[mvx-common]` lines this process writes to stderr from now until `stop()` or the
 * end of the current test; captured lines are not printed. Other stderr output passes through.
 */
export function captureMvxStderr(): MvxStderrCapture {
  const lines: string[] = [];
  state.captures.push(lines);
  return {
    lines,
    stop: () => {
      const i = state.captures.indexOf(lines);
      if (i >= 0) state.captures.splice(i, 1);
    },
  };
}

function install(): void {
  if (state.installed) return;
  state.installed = true;
  const original = process.stderr.write;
  process.stderr.write = function write(this: typeof process.stderr, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : undefined;
    if (text === undefined || !text.includes('[mvx-common] ')) return original.call(this, chunk as string, ...(rest as []));
    const capture = state.captures.at(-1);
    const kept: string[] = [];
    for (const line of text.split('\n')) {
      if (!MARK.test(line)) kept.push(line);
      else if (capture) capture.push(line);
      else {
        state.unexpected.push(line);
        kept.push(line);
      }
    }
    const out = kept.join('\n');
    if (out === '' || out === '\n') {
      // Everything was captured: report success to the writer, including its callback if any.
      const cb = rest.find((a): a is () => void => typeof a === 'function');
      if (cb) queueMicrotask(cb);
      return true;
    }
    return original.call(this, out, ...(rest as []));
  } as typeof process.stderr.write;
}

function check(when: string): void {
  state.captures.length = 0;
  if (state.unexpected.length === 0) return;
  const lines = state.unexpected.splice(0);
  throw new Error(
    `${lines.length} unexpected [mvx-common] line(s) on stderr ${when}; a test that provokes them on purpose ` +
      `captures them with captureMvxStderr() from test/support/stderr-guard.ts and asserts on them:\n  ${lines.join('\n  ')}`,
  );
}

install();
afterEach(() => check('during this test'));
afterAll(() => check('after the last test of this file'));

/**
 * The one diagnostics capture of the tests: collects every report of the diagnostic channel while
 * it runs and keeps stderr quiet meanwhile (so a test that provokes reports on purpose asserts on
 * them instead of printing them). To assert on the `[mvx-common]` stderr lines themselves, use
 * `captureMvxStderr()` (stderr-guard.ts).
 */
import { afterEach, beforeEach } from 'vitest';
import { configureDiagnostics, onDiagnostic } from '../../src/index.ts';
import type { Diagnostic } from '../../src/index.ts';

/** A running capture. */
export interface DiagnosticsCapture {
  /** The reports so far, in order. */
  readonly list: Diagnostic[];
  /** `component:code` of each report, in order. */
  keys(): string[];
  /** The reports with this code. */
  withCode(code: string): Diagnostic[];
  /** Stops capturing and lets diagnostics reach stderr again. Idempotent. */
  stop(): void;
}

/**
 * Starts capturing now until `stop()`. With `quiet` (default) stderr is off meanwhile and `stop()`
 * puts the setting back as it was; `quiet: false` leaves stderr alone (for tests that also assert
 * the printed lines with `captureMvxStderr()`).
 */
export function captureDiagnostics(options: { quiet?: boolean } = {}): DiagnosticsCapture {
  const list: Diagnostic[] = [];
  const previous = configureDiagnostics(options.quiet === false ? {} : { stderr: 'off' });
  const off = onDiagnostic((d) => list.push(d));
  let stopped = false;
  return {
    list,
    keys: () => list.map((d) => `${d.component}:${d.code}`),
    withCode: (code) => list.filter((d) => d.code === code),
    stop: () => {
      if (stopped) return;
      stopped = true;
      off();
      configureDiagnostics({ stderr: previous.stderr });
    },
  };
}

/**
 * For a test file whose every test captures: a fresh capture before each test, stopped after it.
 * Read the current one through the returned getter (`diagnostics().list`).
 */
export function useDiagnosticsCapture(): () => DiagnosticsCapture {
  let current: DiagnosticsCapture | undefined;
  beforeEach(() => {
    current = captureDiagnostics();
  });
  afterEach(() => {
    current?.stop();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('useDiagnosticsCapture(): read it inside a test');
    return current;
  };
}

/** Shared set-up of the logInvocation tests: a real root context with a MemorySink. */
import { configureDiagnostics, resetDiagnostics } from '../../../../src/core/diagnostics.ts';
import type { Diagnostic } from '../../../../src/core/diagnostics.ts';
import { LogContext } from '../../../../src/core/logger/context/log-context.ts';
import type { LogContextOptions } from '../../../../src/core/logger/context/log-context.ts';
import type { LogEvent, LogEventMeta, LogOutcome } from '../../../../src/core/logger/event.ts';
import { LogPayloadProcessor } from '../../../../src/core/logger/payload/log-payload-processor.ts';
import type { LogPayloadProcessorOptions } from '../../../../src/core/logger/payload/options.ts';
import type { LogEventPolicy } from '../../../../src/core/logger/policy/log-event-policy.ts';
import { MemorySink } from '../../../../src/core/logger/sinks/memory-sink.ts';
import { captureDiagnostics } from '../../../support/diagnostics.ts';

export interface Harness {
  readonly root: LogContext;
  readonly sink: MemorySink;
  readonly processor: LogPayloadProcessor;
  /** Diagnostics reported since the harness was made. */
  readonly diagnostics: Diagnostic[];
  /** (outcome, level) pairs in order. */
  lifecycle(): string[];
  byOutcome(outcome: LogOutcome): LogEvent;
  dispose(): void;
}

export function harness(
  options: Omit<LogContextOptions, 'sink' | 'payloadProcessor'> & { processor?: LogPayloadProcessorOptions } = {},
): Harness {
  configureDiagnostics({ stderr: 'off' });
  resetDiagnostics();
  const sink = new MemorySink();
  const { processor: processorOptions, ...contextOptions } = options;
  const processor = new LogPayloadProcessor(processorOptions);
  const root = new LogContext({ namespace: 'test', sink, payloadProcessor: processor, ...contextOptions });
  // Not quiet: the logInvocation tests also assert what reaches stderr.
  const { list: diagnostics, stop: off } = captureDiagnostics({ quiet: false });
  return {
    root,
    sink,
    processor,
    diagnostics,
    lifecycle: () => sink.events.map((e) => `${String(e.outcome)}@${e.level}`),
    byOutcome(outcome) {
      const found = sink.events.filter((e) => e.outcome === outcome);
      if (found.length !== 1) throw new Error(`expected one '${outcome}' event, got ${found.length}: ${JSON.stringify(sink.outcomes())}`);
      return found[0]!;
    },
    dispose: off,
  };
}

/** A policy (user-implementable contract) deciding with a function; `version` can be bumped. */
export class FnPolicy implements LogEventPolicy {
  version = 0;
  calls = 0;
  decide: (meta: LogEventMeta, level: number, outcome?: LogOutcome) => boolean;
  constructor(decide: (meta: LogEventMeta, level: number, outcome?: LogOutcome) => boolean) {
    this.decide = decide;
  }
  isEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    this.calls++;
    return this.decide(meta, level, outcome);
  }
}

/** Resolves after pending promise reactions have run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

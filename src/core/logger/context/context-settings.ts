/**
 * The settings of a `LogContext` node: its own overrides (sink, event policy, payload processor,
 * error handling, minimum level), validated when set (`settings.ts`), and the effective settings,
 * inherited from the nearest ancestor that sets each and resolved again after every configuration
 * change (any setter or reset bumps the process-wide configuration generation). `LogContext`
 * extends it with the tree, the decisions and the emit path. Internal: not re-exported.
 *
 * @module
 */
import { MvxConfigError, MvxError, MvxErrorCode } from '../../errors.ts';
import type { LogPayloadProcessorLike } from '../payload-processor-like.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { bumpConfigGeneration, configGeneration } from './config-generation.ts';
import { LogErrorHandling } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';
import type { LogContext } from './log-context.ts';
import type { LogContextOptions, LogLevelInput } from './log-context-types.ts';
import { validateNamespace } from './namespace.ts';
import { checkErrorHandling, checkMinLevel, checkPolicy, checkProcessor, checkSink } from './settings.ts';

/** The settings half of {@link LogContext} (see the module comment). */
export abstract class LogContextSettings {
  /** The context's dotted namespace; `''` for the facade's root. */
  readonly namespace: string;
  /** The parent context; `undefined` for a root. */
  readonly parent: LogContext | undefined;

  // Local overrides.
  #localSink: LogSink | undefined;
  #localPolicy: LogEventPolicy | undefined;
  #localProcessor: LogPayloadProcessorLike | undefined;
  #localErrorHandling: LogErrorHandlingMode | undefined;
  #localMinLevel: number | undefined;

  // Effective settings, resolved lazily and valid while #gen === configGeneration.value.
  #gen = -1;
  #sink!: LogSink;
  #policy: LogEventPolicy | undefined;
  #processor!: LogPayloadProcessorLike;
  #errorHandling!: LogErrorHandlingMode;
  #minLevel = 0;

  /**
   * @throws MvxConfigError when an option is invalid, or a root lacks `sink` or `payloadProcessor`.
   */
  constructor(options: LogContextOptions) {
    const parent = options.parent;
    if (parent !== undefined && !(parent instanceof LogContextSettings)) {
      throw new MvxConfigError('parent', 'must be a LogContext');
    }
    this.parent = parent;
    this.namespace =
      options.namespace === undefined ? (parent?.namespace ?? '') : validateNamespace(options.namespace, 'namespace', true);
    if (options.sink !== undefined) this.#localSink = checkSink(options.sink, 'sink');
    if (options.policy !== undefined) this.#localPolicy = checkPolicy(options.policy, 'policy');
    if (options.payloadProcessor !== undefined) this.#localProcessor = checkProcessor(options.payloadProcessor, 'payloadProcessor');
    if (options.errorHandling !== undefined) this.#localErrorHandling = checkErrorHandling(options.errorHandling, 'errorHandling');
    if (options.minLevel !== undefined) this.#localMinLevel = checkMinLevel(options.minLevel, 'minLevel');
    if (parent === undefined) {
      if (this.#localSink === undefined) throw new MvxConfigError('sink', 'a root LogContext (no parent) needs a sink');
      if (this.#localProcessor === undefined) {
        throw new MvxConfigError('payloadProcessor', 'a root LogContext (no parent) needs a payload processor');
      }
      this.#localErrorHandling ??= LogErrorHandling.PRINT_STDERR;
      this.#localMinLevel ??= 0;
    }
  }

  /** Whether this context has no parent. */
  get isRoot(): boolean {
    return this.parent === undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Effective settings

  #resolve(): void {
    let sink = this.#localSink;
    let policy = this.#localPolicy;
    let processor = this.#localProcessor;
    let errorHandling = this.#localErrorHandling;
    let minLevel = this.#localMinLevel;
    for (let p: LogContextSettings | undefined = this.parent as LogContextSettings | undefined; p !== undefined; p = p.parent as LogContextSettings | undefined) {
      sink ??= p.#localSink;
      policy ??= p.#localPolicy;
      processor ??= p.#localProcessor;
      errorHandling ??= p.#localErrorHandling;
      minLevel ??= p.#localMinLevel;
    }
    // A root always sets sink, processor, error handling and minimum level.
    this.#sink = sink!;
    this.#processor = processor!;
    this.#errorHandling = errorHandling!;
    this.#minLevel = minLevel!;
    this.#policy = policy;
    this.#gen = configGeneration.value;
  }

  /** The effective sink (this context's override or the nearest ancestor's). */
  get sink(): LogSink {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return this.#sink;
  }

  /** The effective payload processor. */
  get payloadProcessor(): LogPayloadProcessorLike {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return this.#processor;
  }

  /** The effective error-handling mode. */
  get errorHandling(): LogErrorHandlingMode {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return this.#errorHandling;
  }

  /** The effective event policy; `undefined` when no context in the chain sets one (everything enabled). */
  get policy(): LogEventPolicy | undefined {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return this.#policy;
  }

  /** The effective minimum level. */
  get minLevel(): number {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return this.#minLevel;
  }

  /** This context's own overrides (not inherited ones). */
  localSettings(): Readonly<{
    sink?: LogSink;
    policy?: LogEventPolicy;
    payloadProcessor?: LogPayloadProcessorLike;
    errorHandling?: LogErrorHandlingMode;
    minLevel?: number;
  }> {
    const out: {
      sink?: LogSink;
      policy?: LogEventPolicy;
      payloadProcessor?: LogPayloadProcessorLike;
      errorHandling?: LogErrorHandlingMode;
      minLevel?: number;
    } = {};
    if (this.#localSink !== undefined) out.sink = this.#localSink;
    if (this.#localPolicy !== undefined) out.policy = this.#localPolicy;
    if (this.#localProcessor !== undefined) out.payloadProcessor = this.#localProcessor;
    if (this.#localErrorHandling !== undefined) out.errorHandling = this.#localErrorHandling;
    if (this.#localMinLevel !== undefined) out.minLevel = this.#localMinLevel;
    return Object.freeze(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Setters and resets (each bumps the global configuration generation: every cache is stale)

  /** Sets this context's sink. @throws MvxConfigError when `sink` is not a LogSink. */
  setSink(sink: LogSink): void {
    this.#localSink = checkSink(sink, 'sink');
    bumpConfigGeneration();
  }

  /** Sets this context's event policy (inherited by descendants). @throws MvxConfigError when invalid. */
  setPolicy(policy: LogEventPolicy): void {
    this.#localPolicy = checkPolicy(policy, 'policy');
    bumpConfigGeneration();
  }

  /** Sets this context's payload processor. @throws MvxConfigError when invalid. */
  setPayloadProcessor(processor: LogPayloadProcessorLike): void {
    this.#localProcessor = checkProcessor(processor, 'payloadProcessor');
    bumpConfigGeneration();
  }

  /** Sets this context's error-handling mode. @throws MvxConfigError when not a valid mode. */
  setErrorHandling(mode: LogErrorHandlingMode): void {
    this.#localErrorHandling = checkErrorHandling(mode, 'errorHandling');
    bumpConfigGeneration();
  }

  /** Sets this context's minimum level (a number or a level name). @throws MvxConfigError when invalid. */
  setMinLevel(level: LogLevelInput): void {
    this.#localMinLevel = checkMinLevel(level, 'minLevel');
    bumpConfigGeneration();
  }

  #rootResetError(target: string): MvxError {
    return new MvxError(
      MvxErrorCode.RESET_NOT_ALLOWED_FOR_ROOT,
      `the root log context cannot reset its ${target}: it has no parent to inherit from`,
      { details: { target } },
    );
  }

  /** Removes this context's sink override. @throws MvxError `MVX_RESET_NOT_ALLOWED_FOR_ROOT` on a root. */
  resetSink(): void {
    if (this.isRoot) throw this.#rootResetError('sink');
    this.#localSink = undefined;
    bumpConfigGeneration();
  }

  /**
   * Removes this context's policy override. Allowed on a root too (a root needs no policy: without
   * one, every event passing the minimum level is enabled).
   */
  resetPolicy(): void {
    this.#localPolicy = undefined;
    bumpConfigGeneration();
  }

  /** Removes this context's payload processor override. @throws MvxError `MVX_RESET_NOT_ALLOWED_FOR_ROOT` on a root. */
  resetPayloadProcessor(): void {
    if (this.isRoot) throw this.#rootResetError('payloadProcessor');
    this.#localProcessor = undefined;
    bumpConfigGeneration();
  }

  /** Removes this context's error-handling override. @throws MvxError `MVX_RESET_NOT_ALLOWED_FOR_ROOT` on a root. */
  resetErrorHandling(): void {
    if (this.isRoot) throw this.#rootResetError('errorHandling');
    this.#localErrorHandling = undefined;
    bumpConfigGeneration();
  }

  /** Removes this context's minimum-level override. @throws MvxError `MVX_RESET_NOT_ALLOWED_FOR_ROOT` on a root. */
  resetMinLevel(): void {
    if (this.isRoot) throw this.#rootResetError('minLevel');
    this.#localMinLevel = undefined;
    bumpConfigGeneration();
  }
}

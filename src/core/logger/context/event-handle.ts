/**
 * Event handles: `const created = ctx.event('user.created')` binds an event name to a context once,
 * and `created.info(payload)` logs it. What a handle buys over `ctx.info('user.created', payload)`
 * is the disabled path of a name denied by the event policy: the decision for the handle's name is
 * known when the configuration is resolved, so a level the policy turns off for that name is
 * replaced on the handle by a function that does nothing (pino's trick for levels, see
 * `silenced-helpers.ts`), which V8 inlines to nothing, payload object included. Every configuration
 * change (`setPolicy`, `setMinLevel`, a new policy made with `withConfig`, ...) puts the real
 * helpers back; the next call resolves again. A policy with a `version` can change its decisions
 * without a configuration change, so its denied levels are not replaced: they keep a check of the
 * version (a few comparisons).
 *
 * An enabled call goes through `LogContext.logEvent` unchanged (sampling, payload processing,
 * redaction, delivery, error handling); so does a call with options (entity id, source, outcome,
 * namespace), whose metadata may get another decision.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import type { LogEventMeta } from '../event.ts';
import { LogLevel } from '../level.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import { configGeneration } from './config-generation.ts';
import { boundMetadata } from './event-options.ts';
import { HELPER_LEVELS, Mode } from './helper-modes.ts';
import type { HelperName, ModeValue } from './helper-modes.ts';
import type { LogContext } from './log-context.ts';
import type { LogEventOptions, LogPayloadInput } from './log-context-types.ts';
import { defineHelperSlots, setHelpers } from './silenced-helpers.ts';
import type { Helper } from './silenced-helpers.ts';

/**
 * A handle's helper for a level the policy denies to its name: only a call with options (other
 * metadata, so maybe another decision) takes the full path.
 */
const PLAIN_OFF_EVENT_HELPERS = HELPER_LEVELS.map(
  (level) =>
    function plainOffEventHelper(this: LogEventHandle, payload?: LogPayloadInput, options?: LogEventOptions): void {
      if (options !== undefined) this.context.logEvent(this.name, level, payload, options);
    },
) as unknown as readonly Helper[];

/**
 * One event name bound to one {@link LogContext} (made by {@link LogContext.event}). Bind it once
 * (module scope, a constructor) and call its level helpers where the event happens. Each helper
 * takes what the context's helper takes after the name: a payload (an object, a `Map`, or a
 * function called only when the event is enabled) and per-call options. Never throws, except in
 * the `raise` error-handling mode when the sink fails (as `LogContext.logEvent`).
 *
 * @example
 * ```ts
 * const users = new LogContext({ sink: new MemorySink(), payloadProcessor: new LogPayloadProcessor() }).child('users');
 * const created = users.event('user.created'); // bound once
 * created.info({ userId: 'u-1' });               // users.info('user.created', { userId: 'u-1' })
 * ```
 */
export class LogEventHandle {
  /** The context the handle logs through (its settings apply as they change). */
  readonly context: LogContext;
  /** The event name (bounded to `LOG_METADATA_MAX_LENGTH` characters, as `logEvent` bounds it). */
  readonly name: string;
  /** The plain metadata the decisions are taken for. */
  readonly #meta: LogEventMeta;
  /** Configuration generation the `#off*` flags were resolved in. */
  #gen = -1;
  /** A versioned policy in force when resolved (its version is re-checked), else `undefined`. */
  #versioned: LogEventPolicy | undefined;
  #version: number | undefined;
  // Per level: whether a plain call is known to be disabled (valid while #current()).
  #offDebug = false;
  #offInfo = false;
  #offWarning = false;
  #offError = false;
  #offCritical = false;

  /** @throws MvxConfigError (option `name`) when `name` is not a non-empty string. */
  constructor(context: LogContext, name: string) {
    if (typeof name !== 'string' || name === '') throw new MvxConfigError('name', `must be a non-empty string, got ${typeof name === 'string' ? "''" : typeof name}`);
    this.context = context;
    this.name = boundMetadata(name);
    this.#meta = Object.freeze({ namespace: context.namespace, name: this.name });
    defineHelperSlots(this, LogEventHandle.prototype as unknown as Record<HelperName, Helper>);
  }

  /** Whether the flags resolved for this handle still hold. */
  #current(): boolean {
    return this.#gen === configGeneration.value && (this.#versioned === undefined || this.#versioned.version === this.#version);
  }

  /**
   * Resolves each level for the handle's name (minimum level, then the context's cached policy
   * decision), and replaces the helpers of the levels that are off (see the module comment).
   */
  #resolve(): void {
    const ctx = this.context;
    const policy = ctx.policy;
    const minLevel = ctx.minLevel;
    const failuresBefore = ctx.stats().policyFailures;
    const modes: ModeValue[] = HELPER_LEVELS.map((level) =>
      level < minLevel ? Mode.OFF : ctx.isEventEnabled(this.#meta, level) ? Mode.ASK : Mode.OFF_PLAIN,
    );
    // A policy that threw decided nothing: every call asks again (and is counted, as without a handle).
    if (ctx.stats().policyFailures !== failuresBefore) modes.fill(Mode.ASK);
    [this.#offDebug, this.#offInfo, this.#offWarning, this.#offError, this.#offCritical] = modes.map((m) => m !== Mode.ASK) as [boolean, boolean, boolean, boolean, boolean];
    this.#versioned = policy?.version !== undefined ? policy : undefined;
    this.#version = policy?.version;
    this.#gen = configGeneration.value;
    setHelpers(this, LogEventHandle.prototype as unknown as Record<HelperName, Helper>, modes, this.#versioned === undefined, PLAIN_OFF_EVENT_HELPERS);
  }

  /** The full path: resolves first when the configuration (or the policy's version) moved. */
  #emit(level: number, payload: LogPayloadInput, options: LogEventOptions | undefined): void {
    if (!this.#current()) this.#resolve();
    this.context.logEvent(this.name, level, payload, options);
  }

  /** Whether the event would be enabled at `level` with these options (as `LogContext.isEnabled`). @param level @default LogLevel.INFO */
  isEnabled(level: number = LogLevel.INFO, options?: LogEventOptions): boolean {
    return this.context.isEnabled(this.name, level, options);
  }

  /** Logs the event at `LogLevel.DEBUG` (10). */
  debug(payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (options === undefined && this.#offDebug && this.#current()) return;
    this.#emit(LogLevel.DEBUG, payload, options);
  }

  /** Logs the event at `LogLevel.INFO` (20). */
  info(payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (options === undefined && this.#offInfo && this.#current()) return;
    this.#emit(LogLevel.INFO, payload, options);
  }

  /** Logs the event at `LogLevel.WARNING` (30). */
  warning(payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (options === undefined && this.#offWarning && this.#current()) return;
    this.#emit(LogLevel.WARNING, payload, options);
  }

  /** Logs the event at `LogLevel.ERROR` (40). */
  error(payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (options === undefined && this.#offError && this.#current()) return;
    this.#emit(LogLevel.ERROR, payload, options);
  }

  /** Logs the event at `LogLevel.CRITICAL` (50). */
  critical(payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (options === undefined && this.#offCritical && this.#current()) return;
    this.#emit(LogLevel.CRITICAL, payload, options);
  }
}

/**
 * `LogContext`: the entry point for structured log events. A tree of contexts by dotted namespace;
 * every setting (sink, payload processor, error handling, event policy, minimum level) is
 * inherited from the nearest ancestor that sets it.
 *
 * Order of work for one event: minimum level, then the event policy on metadata (both cached),
 * then the policy's sampler when one covers the event (per event, `sampling-gate.ts`), and only for
 * an accepted event: the payload (a function is called now), its normalisation by the
 * payload processor, the frozen `LogEvent`, delivery to the sink, sink failures handled by the
 * error-handling mode. A disabled event never touches its payload.
 *
 * This file holds the decisions and the emit path. The settings are the base class
 * (`context-settings.ts`, checked by `settings.ts`), the tree and the payload methods that need only
 * the settings the middle class (`context-node.ts`); the decision cache and its invalidation rule are
 * in `decision-cache.ts`, the helpers' modes and denial table in `helper-modes.ts`, the helper swap
 * in `silenced-helpers.ts`, the payload methods in `payload-delegation.ts`, delivery to the sink in
 * `sink-delivery.ts`, the internal accessors other modules use in `log-context-internals.ts`.
 *
 * @module
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { buildLogEvent } from '../build-event.ts';
import { composeEventName } from '../event.ts';
import type { LogEvent, LogEventMeta, LogOutcome } from '../event.ts';
import type { JsonObject } from '../json.ts';
import { LogLevel } from '../level.ts';
import type { NormalizeOptions } from '../payload-processor-like.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { LogPayloadProcessor } from '../payload/log-payload-processor.ts';
import { BoundLogContext } from './bound-context.ts';
import type { BindOptions } from './bound-context.ts';
import { configGeneration } from './config-generation.ts';
import { LogContextNode, registerChildFactory } from './context-node.ts';
import { DecisionCache } from './decision-cache.ts';
import type { Decision } from './decision-cache.ts';
import { errorType, safeMessage } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';
import { LOG_METADATA_MAX_LENGTH, boundMetadata, metaFromOptions, readEventOptions, reportUnreadableOptions } from './event-options.ts';
import { DENIAL_SLOTS, HELPER_LEVELS, Mode, NO_DENIALS, denialSet, modesFor } from './helper-modes.ts';
import type { HelperName, ModeValue } from './helper-modes.ts';
import type { IsEnabledOptions, LogContextOptions, LogContextStats, LogEventOptions, LogPayloadInput } from './log-context-types.ts';
import { contextAccess } from './log-context-internals.ts';
import { normalizePayloadWith } from './payload-delegation.ts';
import type { DelegationSite } from './payload-delegation.ts';
import { LogEventHandle } from './event-handle.ts';
import { SinkDelivery } from './sink-delivery.ts';
import { sampleOnce } from './sampling-gate.ts';
import type { SamplingSite } from './sampling-gate.ts';
import { defineHelperSlots, setHelpers } from './silenced-helpers.ts';
import type { Helper } from './silenced-helpers.ts';

export type { IsEnabledOptions, LogContextOptions, LogContextStats, LogEventOptions, LogLevelInput, LogPayloadInput } from './log-context-types.ts';
export { DECISION_CACHE_LIMIT } from './decision-cache.ts';
export { SILENCED_CONTEXT_LIMIT, silencedContextCount } from './silenced-helpers.ts';

const EMPTY_PAYLOAD: JsonObject = Object.freeze({}) as JsonObject;
/** The level helpers installed for a level decided per name under a policy without `version` (see `#resolve`). */
let byNameHelpers: readonly Helper[];

/**
 * A node of the log context tree (usually reached through `getLogContext(namespace)`).
 *
 * @example
 * ```ts
 * const db = new LogContext({ sink: new MemorySink(), payloadProcessor: new LogPayloadProcessor() }).child('db');
 * db.debug('query', () => ({ sql: expensiveToBuild() })); // the function runs only when DEBUG is enabled
 * ```
 */
export class LogContext extends LogContextNode {
  // The effective settings the emit path reads, copied; valid while #gen === configGeneration.value.
  #gen = -1;
  #sink!: LogSink;
  #policy: LogEventPolicy | undefined;
  /** Whether the processor's `normalizePayload` is the built-in one (its result needs no check). */
  #builtInProcessor = false;
  #errorHandling!: LogErrorHandlingMode;
  #minLevel = 0;
  /** Whether the policy has a `version`; without one its decisions never change (and plain-off levels are swapped). */
  #policyVersioned = false;

  /** Policy decisions, valid for the resolved policy and its version (see `decision-cache.ts`). */
  readonly #decisions: DecisionCache;
  /** Table of plain denials, one block of `DENIAL_SLOTS` names per helper level (`helper-modes.ts`). */
  #denials = NO_DENIALS;
  // Per helper level: what is known ahead of time (see `Mode`); `ASK` until resolved.
  #modeDebug: ModeValue = Mode.ASK;
  #modeInfo: ModeValue = Mode.ASK;
  #modeWarning: ModeValue = Mode.ASK;
  #modeError: ModeValue = Mode.ASK;
  #modeCritical: ModeValue = Mode.ASK;

  /** The frozen plain metadata of the last plain event (see `logEvent`). */
  #plainMeta: LogEventMeta = Object.freeze({ namespace: '', name: '' });
  readonly #stats: { sinkFailures: number; policyFailures: number; payloadFailures: number; invalidCalls: number; recursionDrops: number; sampledOut: number };
  readonly #site: DelegationSite & SamplingSite;
  readonly #delivery: SinkDelivery;

  static {
    registerChildFactory((parent, namespace) => new LogContext({ parent, namespace }));
    contextAccess.decision = (ctx, meta, level, outcome) => ctx.#decision(meta, level, outcome);
    contextAccess.sample = (ctx, sampler, meta, level, outcome) => sampleOnce(ctx.#site, sampler, meta, level, outcome, undefined, ctx) !== false;
    // A level decided per name, under a policy whose decisions never change: installed on the
    // context only while its configuration generation is current (every change puts the class's
    // helper back first), so it needs neither the generation check nor the mode, only the denial
    // table (and the per-name cache on a miss).
    byNameHelpers = HELPER_LEVELS.map((level, i) => {
      const block = i * DENIAL_SLOTS;
      return function byNameHelper(this: LogContext, name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
        if (options === undefined && typeof name === 'string' && name.length !== 0) {
          if (this.#denials[block + denialSet(name)] === name || this.#cachedDenial(name, block)) return;
        }
        this.logEvent(name, level, payload, options);
      };
    }) as unknown as readonly Helper[];
  }

  /**
   * @throws MvxConfigError when an option is invalid, or a root lacks `sink` or `payloadProcessor`.
   */
  constructor(options: LogContextOptions = {}) {
    const stats = { sinkFailures: 0, policyFailures: 0, payloadFailures: 0, invalidCalls: 0, recursionDrops: 0, sampledOut: 0 };
    super(options, stats);
    this.#stats = stats;
    defineHelperSlots(this, new.target.prototype as unknown as Record<HelperName, Helper>);
    this.#decisions = new DecisionCache(this.namespace);
    this.#site = { namespace: this.namespace, stats: this.#stats };
    this.#delivery = new SinkDelivery(this.namespace, this.#stats);
  }

  /** Copies the effective settings the emit path reads, then resolves decisions, modes and helpers for them. */
  #resolve(): void {
    const policy = this.policy;
    this.#sink = this.sink;
    this.#builtInProcessor = this.payloadProcessor.normalizePayload === LogPayloadProcessor.prototype.normalizePayload;
    this.#errorHandling = this.errorHandling;
    this.#minLevel = this.minLevel;
    this.#policy = policy;
    // The contract: a policy without `version` never changes its decisions, so it is never re-read.
    this.#policyVersioned = policy?.version !== undefined;
    this.#decisions.reset(policy);
    const modes = this.#resetModes();
    this.#gen = configGeneration.value;
    setHelpers(this, LogContext.prototype as unknown as Record<HelperName, Helper>, modes, !this.#policyVersioned, undefined, byNameHelpers);
  }

  /**
   * A handle for the event `name` in this context, bound once: `handle.info(payload)` is
   * `ctx.info(name, payload)`, but a level the policy denies to `name` costs the handle nothing
   * (see `event-handle.ts`, docs/logger-core.md). A new handle per call: keep it.
   * @throws MvxConfigError (option `name`) when `name` is not a non-empty string.
   */
  event(name: string): LogEventHandle {
    return new LogEventHandle(this, name);
  }

  /** Drops the recorded denials and resolves each helper level's mode again; returns the modes. */
  #resetModes(): ModeValue[] {
    this.#denials = NO_DENIALS;
    const modes = modesFor(this.#minLevel, this.#policy, this.namespace, () => this.#stats.policyFailures++);
    [this.#modeDebug, this.#modeInfo, this.#modeWarning, this.#modeError, this.#modeCritical] = modes as [ModeValue, ModeValue, ModeValue, ModeValue, ModeValue];
    return modes;
  }

  /** A versioned policy whose version moved: its cached decisions, denials and modes are dropped. */
  #checkPolicyVersion(): void {
    if (this.#policyVersioned && this.#decisions.revalidate()) this.#resetModes();
  }

  /**
   * Whether an event would be enabled: minimum level, then the effective policy. Use it to skip
   * building an expensive payload (or pass the payload as a function). Cached; never throws.
   *
   * @param level @default LogLevel.INFO
   */
  isEnabled(name: string, level: number = LogLevel.INFO, options?: IsEnabledOptions): boolean {
    if (this.#gen !== configGeneration.value) this.#resolve();
    if (!(level >= this.#minLevel)) return false;
    const o = readEventOptions(options, this.namespace);
    if (o === undefined) return reportUnreadableOptions(this.namespace, 'isEnabled');
    const policy = this.#policy;
    if (policy === undefined) return true;
    this.#checkPolicyVersion();
    // A sampled event counts as enabled: whether this one is kept is decided when it is logged.
    return this.#decisions.decide(policy, metaFromOptions(typeof name === 'string' ? boundMetadata(name) : name, o), level, o.outcome) !== false;
  }

  /** Whether an event with this metadata, level and outcome is enabled (as {@link isEnabled}). Never throws. */
  isEventEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    return this.#decision(meta, level, outcome) !== false;
  }

  /** The cached decision (`false`, `true` or the sampler that decides per event); never throws. */
  #decision(meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): Decision {
    if (this.#gen !== configGeneration.value) this.#resolve();
    if (!(level >= this.#minLevel)) return false;
    const policy = this.#policy;
    if (policy === undefined) return true;
    this.#checkPolicyVersion();
    try {
      return this.#decisions.decide(policy, meta, level, outcome);
    } catch {
      // `meta` built by a caller, with a getter or Proxy trap that throws.
      return reportUnreadableOptions(this.namespace, 'isEventEnabled');
    }
  }

  #invalid(message: string, details: Record<string, unknown>): void {
    this.#stats.invalidCalls++;
    reportDiagnostic({ component: 'LogContext', code: 'call.invalid', message, details: { namespace: this.namespace, ...details } });
  }

  /**
   * Emits one event: minimum level, policy, then (only when enabled) payload normalisation, event
   * construction and delivery. Never throws, except in the `raise` error-handling mode when the
   * sink fails (`MvxError` code `MVX_UNABLE_TO_LOG`).
   *
   * @param name event name (non-empty string), e.g. `started` or `ldap.bind`
   * @param level numeric level (see `LogLevel`)
   * @param payload an object or `Map` (normalised by the payload processor), or a function returning
   *   one, called only when the event is enabled. @default `{}`
   */
  logEvent(name: string, level: number, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen !== configGeneration.value) this.#resolve();
    // Hot path: the disabled case returns after one integer comparison (and a cached lookup with a policy).
    if (!(level >= this.#minLevel)) {
      if (typeof level !== 'number' || Number.isNaN(level)) this.#invalid('level must be a number; the event is dropped', { name: String(name) });
      return;
    }
    if (typeof name !== 'string' || name === '') return this.#invalid('event name must be a non-empty string', {});
    // One meta object goes to the policy and into the event; its strings are bounded, its options
    // read once (a throwing getter or Proxy drops the event: see `event-options.ts`).
    const bounded = name.length > LOG_METADATA_MAX_LENGTH ? boundMetadata(name) : name;
    let meta: LogEventMeta;
    let outcome: LogOutcome | undefined;
    let sampleKey: string | undefined;
    if (options === undefined || options === null) {
      // One frozen meta per name in a row (a call site logs the same name): no object and no
      // Object.freeze per event, and sinks that memo by the meta object (OtelLogSink) hit.
      meta = this.#plainMeta;
      if (meta.name !== bounded) this.#plainMeta = meta = Object.freeze({ namespace: this.namespace, name: bounded });
    } else {
      const o = readEventOptions(options, this.namespace);
      if (o === undefined) {
        return this.#invalid('the options could not be read (a getter or Proxy trap threw); the event is dropped', { name: bounded });
      }
      meta = metaFromOptions(bounded, o);
      outcome = o.outcome;
      sampleKey = o.sampleKey;
    }
    let correlation: Readonly<Record<string, string>> | undefined;
    const policy = this.#policy;
    if (policy !== undefined) {
      this.#checkPolicyVersion();
      const d = this.#decisions.decide(policy, meta, level, outcome);
      if (d !== true) {
        if (d === false) return;
        // Sampled: decided per event, before any payload work (see `sampling-gate.ts`).
        const kept = sampleOnce(this.#site, d, meta, level, outcome, sampleKey, this);
        if (kept === false) return;
        if (kept !== true) correlation = kept;
      }
    }
    // Accepted: payload, normalisation, event, delivery. Kept in this one function on purpose: its
    // bytecode is then above V8's inlining limit (460 bytes), so the level helpers, which call it
    // on their enabled path, stay small once optimised and are themselves inlined into callers; a
    // disabled helper call then costs a few comparisons, not a call (disabled-event-policy bench).
    let normalized: JsonObject = EMPTY_PAYLOAD;
    let raw = payload;
    if (typeof raw === 'function') {
      try {
        raw = (raw as () => unknown)();
      } catch (error) {
        this.#stats.payloadFailures++;
        reportDiagnostic({
          component: 'LogContext',
          code: 'payload.failed',
          message: `the payload function of '${composeEventName(meta)}' threw; the event carries the error instead`,
          error,
        });
        raw = undefined;
        normalized = { payloadError: { type: errorType(error), message: safeMessage(error) } };
      }
    }
    if (raw !== undefined && raw !== null) normalized = this.normalizePayload(raw);
    const event = buildLogEvent({ level, meta, outcome, payload: normalized, correlation });
    this.emitLogEvent(event);
  }

  /**
   * Hot path of the level helpers: a small, inlinable check answered from what is resolved ahead
   * of time, so a disabled call returns before `logEvent` (and before its arguments escape).
   * `false` means "not known to be disabled": `logEvent` then does the full work. The caller has
   * checked the configuration generation; `block` is the level's first slot in the denial table.
   */
  #skip(mode: ModeValue, name: string, block: number, options: LogEventOptions | undefined): boolean {
    if (mode === Mode.OFF) return true;
    if (options !== undefined || mode === Mode.ASK) return false;
    if (mode === Mode.BY_NAME) {
      // A direct-mapped table of denials (index from length, middle and last character: no
      // hashing of the whole string), so code cycling through disabled events skips the Map.
      if (typeof name !== 'string' || name.length === 0) return false;
      if (this.#denials[block + denialSet(name)] !== name) return this.#cachedDenial(name, block);
    }
    // A versioned policy may have changed its mind since the mode or the denial was recorded.
    return !this.#policyVersioned || this.#decisions.isCurrent();
  }

  /**
   * Out of line (keeps `#skip` small), after a miss in the table's first way: the second way, then
   * the per-name cache; a cached denial found there goes to the first way (the first way's name
   * moves to the second).
   */
  #cachedDenial(name: string, block: number): boolean {
    if (this.#policyVersioned && !this.#decisions.isCurrent()) return false;
    if (this.#decisions.cachedPlain(name, HELPER_LEVELS[block / DENIAL_SLOTS]!) !== false) return false;
    if (this.#denials === NO_DENIALS) this.#denials = NO_DENIALS.slice();
    this.#denials[block + denialSet(name)] = name;
    return true;
  }

  /** Emits at `LogLevel.DEBUG` (10). See {@link logEvent}. */
  debug(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen === configGeneration.value && this.#skip(this.#modeDebug, name, 0, options)) return;
    this.logEvent(name, LogLevel.DEBUG, payload, options);
  }

  /** Emits at `LogLevel.INFO` (20). See {@link logEvent}. */
  info(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen === configGeneration.value && this.#skip(this.#modeInfo, name, DENIAL_SLOTS, options)) return;
    this.logEvent(name, LogLevel.INFO, payload, options);
  }

  /** Emits at `LogLevel.WARNING` (30). See {@link logEvent}. */
  warning(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen === configGeneration.value && this.#skip(this.#modeWarning, name, 2 * DENIAL_SLOTS, options)) return;
    this.logEvent(name, LogLevel.WARNING, payload, options);
  }

  /** Emits at `LogLevel.ERROR` (40). See {@link logEvent}. */
  error(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen === configGeneration.value && this.#skip(this.#modeError, name, 3 * DENIAL_SLOTS, options)) return;
    this.logEvent(name, LogLevel.ERROR, payload, options);
  }

  /** Emits at `LogLevel.CRITICAL` (50). See {@link logEvent}. */
  critical(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    if (this.#gen === configGeneration.value && this.#skip(this.#modeCritical, name, 4 * DENIAL_SLOTS, options)) return;
    this.logEvent(name, LogLevel.CRITICAL, payload, options);
  }

  /**
   * Delivers a finished event to the effective sink: no level check, no policy, no normalisation.
   * Sink failures follow the effective error-handling mode (`raise` throws `MvxError` code
   * `MVX_UNABLE_TO_LOG` with the sink's error as `cause`; otherwise never throws).
   */
  emitLogEvent(event: LogEvent): void {
    if (this.#gen !== configGeneration.value) this.#resolve();
    this.#delivery.deliver(this.#sink, this.#errorHandling, event);
  }

  /**
   * Normalises a payload with the effective processor. Never throws: a failure, or a custom
   * processor returning something other than a plain object (a Proxy, an array, a string), gives
   * `{ payloadError: { type, message } }`.
   */
  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    if (this.#gen !== configGeneration.value) this.#resolve();
    return normalizePayloadWith(this.#site, this.payloadProcessor, this.#builtInProcessor, payload, options);
  }

  /**
   * A view of this context whose events carry `fields` in their payload (the call's own fields
   * win); with `{ callsite: true }` also the caller's function, file and line (see `bound-context.ts`).
   * @throws MvxConfigError (option `fields`) when `fields` is not an object.
   */
  bind(fields: Record<string, unknown>, options?: BindOptions): BoundLogContext {
    return new BoundLogContext(this, fields, options);
  }

  /** Counters of this context. */
  stats(): LogContextStats {
    const decisions = this.#decisions;
    return {
      ...this.#stats,
      policyFailures: this.#stats.policyFailures + decisions.policyFailures,
      decisionCacheSize: decisions.size,
      decisionCacheEvictions: decisions.evictions,
    };
  }
}

export { detachLogContextChildren, logContextChildren, logContextDecision, sampleInContext } from './log-context-internals.ts';

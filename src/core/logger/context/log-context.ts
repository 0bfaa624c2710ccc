/**
 * `LogContext`: the entry point for structured log events. A tree of contexts by dotted namespace;
 * every setting (sink, payload processor, error handling, event policy, minimum level) is
 * inherited from the nearest ancestor that sets it.
 *
 * Order of work for one event: minimum level, then the event policy on metadata (both cached),
 * and only for an accepted event: the payload (a function is called now), its normalisation by the
 * payload processor, the frozen `LogEvent`, delivery to the sink, sink failures handled by the
 * error-handling mode. A disabled event never touches its payload.
 *
 * @module
 */
import { MvxConfigError, MvxError, MvxErrorCode } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import { buildLogEvent } from '../build-event.ts';
import { composeEventName } from '../event.ts';
import type { LogEvent, LogEventMeta, LogOutcome, LogSource } from '../event.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { LogLevel, parseLogLevel } from '../level.ts';
import type { LogPayloadProcessorLike, NormalizeOptions } from '../payload-processor-like.ts';
import type { LogEventPolicy } from '../policy.ts';
import type { LogSink } from '../sink.ts';
import { LogPayloadProcessor } from '../payload/log-payload-processor.ts';
import { bumpConfigGeneration, configGeneration, setConfigGenerationHook } from './config-generation.ts';
import { LogErrorHandling, SinkFailurePrinter, isLogErrorHandlingMode } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';
import { LOG_METADATA_MAX_LENGTH, boundMetadata, notAPayload, readEventOptions, reportUnreadableOptions } from './event-options.ts';
import type { EventOptionValues } from './event-options.ts';
import { validateNamespace } from './namespace.ts';

/** A minimum level: a number or a standard level name (`'DEBUG'`, `'info'`, `'WARN'`, ...). */
export type LogLevelInput = number | string;

/** Options of the {@link LogContext} constructor. */
export interface LogContextOptions {
  /** Dotted namespace (full, not a segment); trimmed and validated. @default `''` for a root, the parent's namespace for a child */
  namespace?: string;
  /** The parent context; none makes this a root. */
  parent?: LogContext;
  /** Sink override. Required for a root. */
  sink?: LogSink;
  /** Event policy override (inherited by descendants). @default none: every event passing the minimum level is enabled */
  policy?: LogEventPolicy;
  /** Payload processor override. Required for a root. */
  payloadProcessor?: LogPayloadProcessorLike;
  /** Sink failure handling override. @default `'print-stderr'` at a root */
  errorHandling?: LogErrorHandlingMode;
  /** Minimum level override. @default 0 (every level) at a hand-built root; the facade's root uses INFO */
  minLevel?: LogLevelInput;
}

/**
 * Per-call options of {@link LogContext.logEvent} and the level helpers. Each is read once and
 * validated: strings longer than `LOG_METADATA_MAX_LENGTH` (256) are cut with `…[+N chars]`; a
 * value of the wrong type is left out (or made a string, see each field) and reported through
 * diagnostics (`call.metadata`); options whose getters or Proxy traps throw drop the event
 * (counted in `invalidCalls`, reported as `call.invalid`).
 */
export interface LogEventOptions {
  /** Lifecycle outcome (`invoke`, `success`, `failed`, `cancelled` or any string); a number, BigInt or boolean becomes its text. */
  outcome?: LogOutcome;
  /** The entity the event is about; another value becomes `String(value)`. */
  entityId?: string;
  /** Source location: only `filePath`, `line` and `functionName` are read (copied, never the object). */
  source?: LogSource;
  /** Overrides the event's namespace (by default the context's). */
  namespace?: string;
}

/** Options of {@link LogContext.isEnabled}: the same metadata a call to `logEvent` would carry. */
export type IsEnabledOptions = LogEventOptions;

/** A payload, or a function returning one (called only when the event is enabled). */
export type LogPayloadInput = unknown;

/** Counters of one context (see {@link LogContext.stats}). */
export interface LogContextStats {
  /** Sink failures met by this context, in every error-handling mode. */
  sinkFailures: number;
  /** Events dropped because the policy threw (reported through diagnostics). */
  policyFailures: number;
  /** Payloads replaced because the payload function or the processor threw. */
  payloadFailures: number;
  /** Calls dropped because of invalid input (name, level, options that could not be read). */
  invalidCalls: number;
  /** Events dropped because a sink logged re-entrantly too deep. */
  recursionDrops: number;
  /** Decisions currently cached. */
  decisionCacheSize: number;
  /** Decisions evicted because a cache was full (4,096 entries, or 262,144 characters of keys for all together). */
  decisionCacheEvictions: number;
}

/** Upper bound of cached policy decisions per context (per cache: by name, and by full key). */
export const DECISION_CACHE_LIMIT = 4096;
/**
 * Upper bound of the characters of all cached keys (names, full keys) of one context, so the caches
 * stay within about 0.5 MB however long the keys (4,096 keys of 16 KB held 64 MB before).
 */
const DECISION_CACHE_CHARS = 262_144;
/** Keys longer than this are decided every time and never cached (a full key with every field at its bound is about 1,600). */
const DECISION_KEY_MAX_CHARS = 1024;
/** Highest integer level cached on the by-name fast path; other levels use the full-key cache. */
const FAST_LEVEL_LIMIT = 256;
/** Distinct outcomes with their own by-name cache; further outcomes use the full-key cache. */
const MAX_CACHED_OUTCOMES = 16;
/** Deepest re-entrant delivery (a sink logging through a context) before events are dropped. */
const MAX_DELIVERY_DEPTH = 8;

/** Sets per level of the two-way table of plain denials (a power of two); a level's block holds two ways. */
const DENIAL_SETS = 64;
/** Slots per level: two ways of `DENIAL_SETS`. */
const DENIAL_SLOTS = DENIAL_SETS;
/** The level helpers' levels, in the order of their denial-table blocks. */
const HELPER_LEVELS = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR, LogLevel.CRITICAL] as const;

/**
 * What a level helper knows ahead of time about its level in one context (resolved with the
 * settings, see `#computeModes`):
 * - `OFF`: below the minimum level: every call is disabled;
 * - `OFF_PLAIN`: the policy disables every plain call (no options) of this namespace at this level
 *   whatever its name (`LogEventPolicy.plainDecision`);
 * - `BY_NAME`: the decision depends on the name: the denial table, then the per-name cache;
 * - `ASK`: no shortcut (no policy, or the policy enables every plain call): `logEvent` decides.
 */
const Mode = { OFF: 0, OFF_PLAIN: 1, BY_NAME: 2, ASK: 3 } as const;
type ModeValue = (typeof Mode)[keyof typeof Mode];

/**
 * Set of a non-empty `name` in one level's block of the denial table: cheap (length and last
 * character, one `charCodeAt`: measured, a second character costs ~1 ns on every call), two ways
 * per set so two colliding names both stay; a third only costs a Map lookup.
 */
function denialSet(name: string): number {
  const n = name.length;
  return (name.charCodeAt(n - 1) + n * 13) & (DENIAL_SETS - 1);
}

/**
 * The empty denial table, shared by every context until it records its first denial. Filled with
 * `''` (never a valid name, and checked apart) rather than `undefined`, so the comparison in the
 * level helpers only ever sees strings and V8 keeps it a plain string comparison.
 */
const NO_DENIALS: string[] = new Array<string>(DENIAL_SLOTS * HELPER_LEVELS.length).fill(''); // never written (not frozen: one array shape at the load)

/** The level helpers' names, in `HELPER_LEVELS` order. */
const HELPER_NAMES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
type HelperName = (typeof HELPER_NAMES)[number];
type Helper = (this: LogContext, name: string, payload?: LogPayloadInput, options?: LogEventOptions) => void;

/**
 * pino's trick: a helper whose level is off in a context is replaced, on that context, by a
 * function that does nothing, so V8 inlines it and drops the call and its payload object. Valid
 * until the next configuration change, which puts the class's helpers back (`restoreSilenced`).
 */
function silentHelper(): void {
  // the level is off in this context: nothing to do
}

/**
 * A helper whose level the policy turns off for every plain call in a context: only a call with
 * options (entity id, source, outcome, namespace) can still be enabled, and takes the full path.
 */
const PLAIN_OFF_HELPERS: readonly Helper[] = HELPER_LEVELS.map(
  (level) =>
    function plainOffHelper(this: LogContext, name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
      if (options !== undefined) this.logEvent(name, level, payload, options);
    },
);

/**
 * Upper bound of contexts with replaced helpers in one configuration generation. Past it, a context
 * keeps the class's helpers (correct, only without the shortcut). Internal.
 */
export const SILENCED_CONTEXT_LIMIT = 8192;
/** Below this many entries the registry is never swept. */
const SILENCED_SWEEP_MIN = 1024;

/** Contexts with a replaced helper in the current generation (weakly: a context may be dropped). */
let silenced: WeakRef<LogContext>[] = [];
/** Registry length at which dead entries are swept out (amortised: twice the live count). */
let silencedSweepAt = SILENCED_SWEEP_MIN;
/** Contexts refused since the last sweep found the registry full of live contexts. */
let silencedRefusals = 0;
let restoreHelpers: (ctx: LogContext) => void;

/**
 * Records a context whose helpers are about to be replaced; `false` when the registry is full of
 * live contexts (the caller then keeps the class's helpers). Without the sweep, contexts built and
 * dropped between two configuration changes (one per request) would leave a dead entry each.
 */
function trackSilenced(ctx: LogContext): boolean {
  if (silenced.length >= silencedSweepAt) {
    silenced = silenced.filter((ref) => ref.deref() !== undefined);
    // Next sweep once the registry has doubled (amortised O(1) per entry); when it is still full of
    // live contexts, after as many refusals as the bound.
    silencedSweepAt =
      silenced.length >= SILENCED_CONTEXT_LIMIT ? Infinity : Math.min(SILENCED_CONTEXT_LIMIT, Math.max(SILENCED_SWEEP_MIN, 2 * silenced.length));
  }
  if (silenced.length >= SILENCED_CONTEXT_LIMIT) {
    if (++silencedRefusals >= SILENCED_CONTEXT_LIMIT) {
      silencedRefusals = 0;
      silencedSweepAt = 0; // the next call sweeps
    }
    return false;
  }
  silenced.push(new WeakRef(ctx));
  return true;
}

/** Entries in the registry of contexts with replaced helpers (dead ones included). Internal, for tests. */
export function silencedContextCount(): number {
  return silenced.length;
}

/** Run after every configuration change: the replaced helpers may no longer be right. */
function restoreSilenced(): void {
  const list = silenced;
  silenced = [];
  silencedSweepAt = SILENCED_SWEEP_MIN;
  silencedRefusals = 0;
  for (const ref of list) {
    const ctx = ref.deref();
    if (ctx !== undefined) restoreHelpers(ctx);
  }
}
setConfigGenerationHook(restoreSilenced);

const EMPTY_PAYLOAD: JsonObject = Object.freeze({}) as JsonObject;
let deliveryDepth = 0;
let detachChildren: (ctx: LogContext) => void;
let childEntries: (ctx: LogContext) => IterableIterator<[string, LogContext]>;

function checkSink(value: unknown, option: string): LogSink {
  if (value === null || typeof value !== 'object' || typeof (value as LogSink).log !== 'function') {
    throw new MvxConfigError(option, 'must be a LogSink (an object with a log(event) method); use reset to remove an override');
  }
  return value as LogSink;
}

function checkPolicy(value: unknown, option: string): LogEventPolicy {
  if (value === null || typeof value !== 'object' || typeof (value as LogEventPolicy).isEnabled !== 'function') {
    throw new MvxConfigError(option, 'must be a LogEventPolicy (an object with isEnabled(meta, level, outcome)); use reset to remove an override');
  }
  return value as LogEventPolicy;
}

function checkProcessor(value: unknown, option: string): LogPayloadProcessorLike {
  const p = value as LogPayloadProcessorLike;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof p.normalizePayload !== 'function' ||
    typeof p.normalizeValueForLog !== 'function' ||
    typeof p.getPlainVerbosityLevel !== 'function'
  ) {
    throw new MvxConfigError(
      option,
      'must be a LogPayloadProcessorLike (normalizePayload, normalizeValueForLog, getPlainVerbosityLevel); use reset to remove an override',
    );
  }
  return p;
}

function checkErrorHandling(value: unknown, option: string): LogErrorHandlingMode {
  if (!isLogErrorHandlingMode(value)) {
    throw new MvxConfigError(option, `must be one of 'raise', 'print-stderr', 'ignore', got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function checkMinLevel(value: unknown, option: string): number {
  const level = parseLogLevel(value);
  if (level === undefined) {
    throw new MvxConfigError(option, `must be an integer or a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got ${String(value)}`);
  }
  return level;
}

function errorType(err: unknown): string {
  if (err instanceof Error) return err.name;
  if (err === null) return 'null';
  return typeof err;
}

function safeMessage(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return '<unprintable>';
  }
}

function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A node of the log context tree.
 *
 * @example
 * ```ts
 * const root = new LogContext({ sink: new MemorySink(), payloadProcessor: new LogPayloadProcessor() });
 * const db = root.child('db');
 * db.info('connected', { host: 'db-1' });
 * db.debug('query', () => ({ sql: expensiveToBuild() })); // the function runs only when DEBUG is enabled
 * ```
 */
export class LogContext {
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
  /** Whether the processor's `normalizePayload` is the built-in one (its result needs no check). */
  #builtInProcessor = false;
  #errorHandling!: LogErrorHandlingMode;
  #minLevel = 0;
  #policyVersion: number | undefined;
  /** Whether the policy has a `version` (read on every decision); without one it never changes. */
  #policyVersioned = false;

  // Decision caches (valid for the resolved policy and its version).
  /** Plain metadata (context namespace, no entity id, no source), no outcome: name → decision by level. */
  #byName = new Map<string, (boolean | undefined)[]>();
  /** Plain metadata with an outcome: outcome → name → decision by level (at most MAX_CACHED_OUTCOMES outcomes). */
  #byOutcome = new Map<string, Map<string, (boolean | undefined)[]>>();
  /** Everything else: full key → decision. */
  #byKey = new Map<string, boolean>();
  /** Characters of the keys held by the three caches above (see `DECISION_CACHE_CHARS`). */
  #cacheChars = 0;
  #evictions = 0;
  /**
   * Direct-mapped table of plain denials (no options, this namespace), one block of
   * `DENIAL_SLOTS` names per helper level (see `denialSet`); `NO_DENIALS` until the first one.
   */
  #denials = NO_DENIALS;
  // Per helper level: what is known ahead of time (see `Mode`); `ASK` until resolved.
  #modeDebug: ModeValue = Mode.ASK;
  #modeInfo: ModeValue = Mode.ASK;
  #modeWarning: ModeValue = Mode.ASK;
  #modeError: ModeValue = Mode.ASK;
  #modeCritical: ModeValue = Mode.ASK;

  #children = new Map<string, LogContext>();
  #printer: SinkFailurePrinter | undefined;
  #stats = { sinkFailures: 0, policyFailures: 0, payloadFailures: 0, invalidCalls: 0, recursionDrops: 0 };

  static {
    detachChildren = (ctx) => ctx.#children.clear();
    childEntries = (ctx) => ctx.#children.entries();
    restoreHelpers = (ctx) => ctx.#setHelpers(false);
  }

  /**
   * @throws MvxConfigError when an option is invalid, or a root lacks `sink` or `payloadProcessor`.
   */
  constructor(options: LogContextOptions = {}) {
    const parent = options.parent;
    if (parent !== undefined && !(parent instanceof LogContext)) {
      throw new MvxConfigError('parent', 'must be a LogContext');
    }
    this.parent = parent;
    // Own, non-enumerable helper slots on every context (one hidden class for all), holding the
    // class's helpers until a level is found off (see `silentHelper`).
    const proto = new.target.prototype as Record<HelperName, Helper>;
    for (const h of HELPER_NAMES) Object.defineProperty(this, h, { value: proto[h], writable: true, configurable: true, enumerable: false });
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
    for (let p = this.parent; p !== undefined; p = p.parent) {
      sink ??= p.#localSink;
      policy ??= p.#localPolicy;
      processor ??= p.#localProcessor;
      errorHandling ??= p.#localErrorHandling;
      minLevel ??= p.#localMinLevel;
    }
    // A root always sets sink, processor, error handling and minimum level.
    this.#sink = sink!;
    this.#processor = processor!;
    this.#builtInProcessor = processor!.normalizePayload === LogPayloadProcessor.prototype.normalizePayload;
    this.#errorHandling = errorHandling!;
    this.#minLevel = minLevel!;
    this.#policy = policy;
    this.#policyVersion = policy?.version;
    // The contract: a policy without `version` never changes its decisions, so it is never re-read.
    this.#policyVersioned = this.#policyVersion !== undefined;
    this.#clearDecisions();
    this.#gen = configGeneration.value;
    this.#setHelpers(true);
  }

  /**
   * Puts the class's helpers on this context, or (when `silence`) a silent one for each level that
   * is off: below the minimum level, or off for plain calls by a policy without `version` (a
   * versioned policy may change without a configuration change, so its levels keep the checks).
   * A helper a subclass overrides is never replaced.
   */
  #setHelpers(silence: boolean): void {
    const self = this as unknown as Record<HelperName, Helper>;
    const proto = Object.getPrototypeOf(this) as Record<HelperName, Helper>;
    const base = LogContext.prototype as unknown as Record<HelperName, Helper>;
    const modes = [this.#modeDebug, this.#modeInfo, this.#modeWarning, this.#modeError, this.#modeCritical];
    const fns: Helper[] = [];
    let replaced = false;
    for (let i = 0; i < HELPER_NAMES.length; i++) {
      const h = HELPER_NAMES[i]!;
      let fn = proto[h];
      if (silence && fn === base[h]) {
        if (modes[i] === Mode.OFF) fn = silentHelper;
        else if (modes[i] === Mode.OFF_PLAIN && !this.#policyVersioned) fn = PLAIN_OFF_HELPERS[i]!;
      }
      if (fn !== proto[h]) replaced = true;
      fns.push(fn);
    }
    // A replaced helper must be restored at the next configuration change: no room, no replacement.
    const keep = replaced && !trackSilenced(this);
    for (let i = 0; i < HELPER_NAMES.length; i++) {
      const h = HELPER_NAMES[i]!;
      const fn = keep ? proto[h] : fns[i]!;
      if (self[h] !== fn) self[h] = fn;
    }
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

  // ---------------------------------------------------------------------------------------------
  // Tree

  /**
   * The child context `<namespace>.<segment>` (created on first use, then the same object). A dotted
   * `segment` walks the path: `child('a.b')` is `child('a').child('b')`.
   * @throws MvxConfigError (option `segment`) when `segment` is not a valid namespace part.
   */
  child(segment: string): LogContext {
    const existing = this.#children.get(segment);
    if (existing !== undefined) return existing;
    const seg = validateNamespace(segment, 'segment', false);
    if (seg.includes('.')) {
      // A dotted path: walk it, so `child('a.b')` is `child('a').child('b')`.
      return seg.split('.').reduce<LogContext>((ctx, part) => ctx.child(part), this);
    }
    const again = this.#children.get(seg);
    if (again !== undefined) return again;
    const ctx = new LogContext({ parent: this, namespace: this.namespace === '' ? seg : `${this.namespace}.${seg}` });
    this.#children.set(seg, ctx);
    return ctx;
  }

  // ---------------------------------------------------------------------------------------------
  // Decisions

  #clearDecisions(): void {
    this.#denials = NO_DENIALS;
    this.#byName.clear();
    this.#byOutcome.clear();
    this.#byKey.clear();
    this.#cacheChars = 0;
    this.#modeDebug = this.#modeFor(LogLevel.DEBUG);
    this.#modeInfo = this.#modeFor(LogLevel.INFO);
    this.#modeWarning = this.#modeFor(LogLevel.WARNING);
    this.#modeError = this.#modeFor(LogLevel.ERROR);
    this.#modeCritical = this.#modeFor(LogLevel.CRITICAL);
  }

  /**
   * Resolved ahead of time, as pino resolves its levels when they are set: whether a helper level
   * is off (minimum level), off for every plain call by the policy's own account
   * (`plainDecision`), decided per name, or left to `logEvent`. Called whenever decisions are dropped.
   */
  #modeFor(level: number): ModeValue {
    if (level < this.#minLevel) return Mode.OFF;
    const policy = this.#policy;
    if (policy === undefined) return Mode.ASK;
    if (typeof policy.plainDecision !== 'function') return Mode.BY_NAME;
    let d: boolean | undefined;
    try {
      d = policy.plainDecision(this.namespace, level);
    } catch (error) {
      this.#stats.policyFailures++;
      reportDiagnostic({
        component: 'LogContext',
        code: 'policy.failed',
        message: 'the event policy threw in plainDecision; decisions are taken per event instead',
        error,
        details: { namespace: this.namespace, level },
      });
      return Mode.BY_NAME;
    }
    return d === false ? Mode.OFF_PLAIN : d === true ? Mode.ASK : Mode.BY_NAME;
  }

  /** Asks the policy; a throwing policy disables the event (reported, counted, not cached). */
  #ask(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean | undefined {
    try {
      return policy.isEnabled(meta, level, outcome) === true;
    } catch (error) {
      this.#stats.policyFailures++;
      reportDiagnostic({
        component: 'LogContext',
        code: 'policy.failed',
        message: `the event policy threw for '${composeEventName(meta)}'; the event is dropped`,
        error,
        details: { namespace: this.namespace },
      });
      return undefined;
    }
  }

  /**
   * The policy decision for `meta`, cached. Plain metadata (this context's namespace, no entity id,
   * no source) at an integer level in [0, 256) is cached per outcome, name and level in nested
   * maps (no key string is built); anything else per full key.
   */
  #decide(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean {
    if (
      meta.namespace === this.namespace &&
      meta.entityId === undefined &&
      meta.source === undefined &&
      Number.isInteger(level) &&
      level >= 0 &&
      level < FAST_LEVEL_LIMIT
    ) {
      let byName = outcome === undefined ? this.#byName : this.#byOutcome.get(outcome);
      if (byName === undefined && this.#byOutcome.size < MAX_CACHED_OUTCOMES) {
        byName = new Map();
        this.#byOutcome.set(outcome!, byName);
      }
      if (byName !== undefined) return this.#decideIn(byName, policy, meta, level, outcome);
    }
    return this.#decideByMeta(policy, meta, level, outcome);
  }

  #decideIn(
    byName: Map<string, (boolean | undefined)[]>,
    policy: LogEventPolicy,
    meta: LogEventMeta,
    level: number,
    outcome: LogOutcome | undefined,
  ): boolean {
    let slots = byName.get(meta.name);
    if (slots !== undefined) {
      const d = slots[level];
      if (d !== undefined) return d;
    }
    const d = this.#ask(policy, meta, level, outcome);
    if (d === undefined) return false;
    if (slots === undefined) {
      if (!this.#admit(byName, meta.name.length)) return d;
      slots = [];
      byName.set(meta.name, slots);
    }
    slots[level] = d;
    return d;
  }

  /**
   * Makes room for a new key of `chars` characters in `map` (one of the decision caches): evicts
   * its oldest entries while it holds `DECISION_CACHE_LIMIT` entries or the caches together would
   * pass `DECISION_CACHE_CHARS`; when the characters are held by the other caches, drops them all.
   * `false` when the key is not to be cached (too long, or everything was just dropped).
   */
  #admit(map: Map<string, unknown>, chars: number): boolean {
    if (chars > DECISION_KEY_MAX_CHARS) return false;
    while (map.size > 0 && (map.size >= DECISION_CACHE_LIMIT || this.#cacheChars + chars > DECISION_CACHE_CHARS)) {
      const oldest = map.keys().next().value!;
      map.delete(oldest);
      this.#cacheChars -= oldest.length;
      this.#evictions++;
    }
    if (this.#cacheChars + chars > DECISION_CACHE_CHARS) {
      this.#evictions += this.#byName.size + this.#byKey.size;
      for (const m of this.#byOutcome.values()) this.#evictions += m.size;
      this.#byName.clear();
      this.#byOutcome.clear();
      this.#byKey.clear();
      this.#cacheChars = 0;
      return false;
    }
    this.#cacheChars += chars;
    return true;
  }

  /** Policy decision on full metadata: cached per (namespace, name, level, outcome, entity id, source). */
  #decideByMeta(policy: LogEventPolicy, meta: LogEventMeta, level: number, outcome: LogOutcome | undefined): boolean {
    const src = meta.source;
    const key =
      `${meta.namespace}\u0001${meta.name}\u0001${level}\u0001${outcome === undefined ? '\u0002' : outcome}` +
      `\u0001${meta.entityId === undefined ? '\u0002' : meta.entityId}` +
      (src === undefined ? '' : `\u0001${src.filePath ?? ''}\u0001${src.line ?? ''}\u0001${src.functionName ?? ''}`);
    const cached = this.#byKey.get(key);
    if (cached !== undefined) return cached;
    const d = this.#ask(policy, meta, level, outcome);
    if (d === undefined) return false;
    if (this.#admit(this.#byKey, key.length)) this.#byKey.set(key, d);
    return d;
  }

  #checkPolicyVersion(policy: LogEventPolicy): void {
    if (!this.#policyVersioned) return;
    const v = policy.version;
    if (v !== this.#policyVersion) {
      this.#policyVersion = v;
      this.#clearDecisions();
    }
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
    this.#checkPolicyVersion(policy);
    return this.#decide(policy, this.#meta(typeof name === 'string' ? boundMetadata(name) : name, o), level, o.outcome);
  }

  /**
   * Whether an event with this metadata, level and outcome is enabled (minimum level, then the
   * effective policy; cached). `logInvocation` calls this once per invocation. Never throws.
   */
  isEventEnabled(meta: LogEventMeta, level: number, outcome?: LogOutcome): boolean {
    if (this.#gen !== configGeneration.value) this.#resolve();
    if (!(level >= this.#minLevel)) return false;
    const policy = this.#policy;
    if (policy === undefined) return true;
    this.#checkPolicyVersion(policy);
    try {
      return this.#decide(policy, meta, level, outcome);
    } catch {
      // `meta` built by a caller, with a getter or Proxy trap that throws.
      return reportUnreadableOptions(this.namespace, 'isEventEnabled');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Emitting

  /** The event metadata from a (bounded) name and options already read by `readEventOptions`. */
  #meta(name: string, o: EventOptionValues): LogEventMeta {
    const meta: { namespace: string; name: string; entityId?: string; source?: LogSource } = { namespace: o.namespace, name };
    if (o.entityId !== undefined) meta.entityId = o.entityId;
    if (o.source !== undefined) meta.source = o.source;
    return meta;
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
    if (options === undefined || options === null) {
      meta = { namespace: this.namespace, name: bounded };
    } else {
      const o = readEventOptions(options, this.namespace);
      if (o === undefined) {
        return this.#invalid('the options could not be read (a getter or Proxy trap threw); the event is dropped', { name: bounded });
      }
      meta = this.#meta(bounded, o);
      outcome = o.outcome;
    }
    const policy = this.#policy;
    if (policy !== undefined) {
      this.#checkPolicyVersion(policy);
      if (!this.#decide(policy, meta, level, outcome)) return;
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
    const event = buildLogEvent({ level, meta, outcome, payload: normalized });
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
    return !this.#policyVersioned || this.#policy!.version === this.#policyVersion;
  }

  /**
   * Out of line (keeps `#skip` small), after a miss in the table's first way: the second way, then
   * the per-name cache; a cached denial found there goes to the first way (the first way's name
   * moves to the second).
   */
  #cachedDenial(name: string, block: number): boolean {
    if (this.#policyVersioned && this.#policy!.version !== this.#policyVersion) return false;
    const slots = this.#byName.get(name);
    if (slots === undefined || slots[HELPER_LEVELS[block / DENIAL_SLOTS]!] !== false) return false;
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
    if (deliveryDepth >= MAX_DELIVERY_DEPTH) {
      this.#stats.recursionDrops++;
      reportDiagnostic({
        component: 'LogContext',
        code: 'delivery.recursion',
        message: `a sink logged re-entrantly more than ${MAX_DELIVERY_DEPTH} levels deep; the event is dropped`,
        details: { namespace: this.namespace },
      });
      return;
    }
    const sink = this.#sink;
    deliveryDepth++;
    try {
      sink.log(event);
    } catch (error) {
      this.#onSinkFailure(event, error);
    } finally {
      deliveryDepth--;
    }
  }

  #onSinkFailure(event: LogEvent, error: unknown): void {
    this.#stats.sinkFailures++;
    const mode = this.#errorHandling;
    if (mode === LogErrorHandling.IGNORE) return;
    let key = '<unknown event>';
    try {
      key = composeEventName(event.meta);
    } catch {
      // keep the placeholder
    }
    if (mode === LogErrorHandling.RAISE) {
      throw new MvxError(MvxErrorCode.UNABLE_TO_LOG, `unable to log event '${key}': ${safeMessage(error)}`, {
        cause: error,
        details: { namespace: this.namespace, event: key },
      });
    }
    this.#printer ??= new SinkFailurePrinter(`LogContext '${this.namespace}'`);
    this.#printer.failure(key, error);
  }

  // ---------------------------------------------------------------------------------------------
  // Payload delegation (to the effective processor; never throws)

  #processorFailed(what: string, error: unknown): void {
    this.#stats.payloadFailures++;
    reportDiagnostic({
      component: 'LogContext',
      code: 'processor.failed',
      message: `the payload processor threw in ${what}; a placeholder is used`,
      error,
      details: { namespace: this.namespace },
    });
  }

  /**
   * Normalises a payload with the effective processor. Never throws: a failure, or a custom
   * processor returning something other than a plain object (a Proxy, an array, a string), gives
   * `{ payloadError: { type, message } }`.
   */
  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    const processor = this.payloadProcessor;
    let out: JsonObject;
    try {
      out = processor.normalizePayload(payload, options);
    } catch (error) {
      this.#processorFailed('normalizePayload', error);
      return { payloadError: { type: errorType(error), message: safeMessage(error) } };
    }
    // The built-in processor returns plain objects; a custom one is checked at the top level, so a
    // Proxy whose traps throw never reaches `buildLogEvent` (which freezes it) or a sink.
    const wrong = this.#builtInProcessor ? undefined : notAPayload(out);
    if (wrong === undefined) return out;
    const message = `the payload processor returned ${wrong}, not a plain object`;
    this.#processorFailed('normalizePayload', new TypeError(message));
    return { payloadError: { type: 'TypeError', message } };
  }

  /** Normalises one value with the effective processor. Never throws (a failure gives a placeholder string). */
  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue {
    try {
      return this.payloadProcessor.normalizeValueForLog(value, options);
    } catch (error) {
      this.#processorFailed('normalizeValueForLog', error);
      return '<unloggable value>';
    }
  }

  /** The effective processor's verbosity as a plain string (`undefined` on failure). */
  getPlainVerbosityLevel(): string | undefined {
    try {
      return this.payloadProcessor.getPlainVerbosityLevel();
    } catch (error) {
      this.#processorFailed('getPlainVerbosityLevel', error);
      return undefined;
    }
  }

  /**
   * A structured, JSON-safe error payload: the processor's `normalizeError(err)` when it has one,
   * else `normalizeValueForLog(err)` (an object is used as is; anything else becomes
   * `{ type, message }`). Never throws.
   */
  buildErrorPayload(err: unknown): JsonObject {
    const processor = this.payloadProcessor;
    try {
      if (typeof processor.normalizeError === 'function') return processor.normalizeError(err);
      const value = processor.normalizeValueForLog(err);
      if (isJsonObject(value)) return value;
      return { type: errorType(err), message: typeof value === 'string' ? value : safeMessage(err) };
    } catch (error) {
      this.#processorFailed('buildErrorPayload', error);
      return { type: errorType(err), message: safeMessage(err) };
    }
  }

  /** Counters of this context. */
  stats(): LogContextStats {
    return {
      ...this.#stats,
      decisionCacheSize: this.#byName.size + this.#byKey.size + [...this.#byOutcome.values()].reduce((n, m) => n + m.size, 0),
      decisionCacheEvictions: this.#evictions,
    };
  }
}

/** Drops every child created by `child()` (used by the facade's reset). Internal. */
export function detachLogContextChildren(ctx: LogContext): void {
  detachChildren(ctx);
}

/** The children created by `child()`, by segment. Internal. */
export function logContextChildren(ctx: LogContext): IterableIterator<[string, LogContext]> {
  return childEntries(ctx);
}

/**
 * The level-helper swap: a helper whose level is off in a context is replaced, on that context, by
 * a function that does nothing, so V8 inlines it and drops the call and its payload object. Valid
 * until the next configuration change, which puts the class's helpers back: every context with a
 * replaced helper is kept (weakly) in a bounded registry for that. Internal.
 */
import type { LogEventOptions, LogPayloadInput } from './log-context-types.ts';
import { setConfigGenerationHook } from './config-generation.ts';
import { HELPER_LEVELS, HELPER_NAMES, Mode } from './helper-modes.ts';
import type { HelperName, ModeValue } from './helper-modes.ts';

/** What a level helper does with its arguments. */
export type Helper = (this: HelperHost, name: string, payload?: LogPayloadInput, options?: LogEventOptions) => void;

/** A context as the helpers see it. */
export interface HelperHost {
  logEvent(name: string, level: number, payload?: LogPayloadInput, options?: LogEventOptions): void;
}

function silentHelper(): void {
  // the level is off in this context: nothing to do
}

/**
 * A helper whose level the policy turns off for every plain call in a context: only a call with
 * options (entity id, source, outcome, namespace) can still be enabled, and takes the full path.
 */
const PLAIN_OFF_HELPERS: readonly Helper[] = HELPER_LEVELS.map(
  (level) =>
    function plainOffHelper(this: HelperHost, name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
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
let silenced: WeakRef<object>[] = [];
/** Registry length at which dead entries are swept out (amortised: twice the live count). */
let silencedSweepAt = SILENCED_SWEEP_MIN;
/** Contexts refused since the last sweep found the registry full of live contexts. */
let silencedRefusals = 0;

/**
 * Records a context whose helpers are about to be replaced; `false` when the registry is full of
 * live contexts (the caller then keeps the class's helpers). Without the sweep, contexts built and
 * dropped between two configuration changes (one per request) would leave a dead entry each.
 */
function trackSilenced(ctx: object): boolean {
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

/**
 * Puts the class's helpers on `ctx`, or (with `modes`) a silent one for each level that is off:
 * below the minimum level, or (`plainOff`) off for plain calls by a policy without `version` (a
 * versioned policy may change without a configuration change, so its levels keep the checks).
 * A helper a subclass overrides (not `base`'s) is never replaced. `plainOffHelpers` are the
 * replacements for `OFF_PLAIN` levels (event handles have their own, without the name argument);
 * `byNameHelpers`, when given, replace `BY_NAME` levels of a policy without `version`.
 */
export function setHelpers(
  ctx: object,
  base: Readonly<Record<HelperName, Helper>>,
  modes: readonly ModeValue[] | undefined,
  plainOff: boolean,
  plainOffHelpers: readonly Helper[] = PLAIN_OFF_HELPERS,
  byNameHelpers?: readonly Helper[],
): void {
  const self = ctx as Record<HelperName, Helper>;
  const proto = Object.getPrototypeOf(ctx) as Record<HelperName, Helper>;
  const fns: Helper[] = [];
  let replaced = false;
  for (let i = 0; i < HELPER_NAMES.length; i++) {
    const h = HELPER_NAMES[i]!;
    let fn = proto[h];
    if (modes !== undefined && fn === base[h]) {
      if (modes[i] === Mode.OFF) fn = silentHelper;
      else if (modes[i] === Mode.OFF_PLAIN && plainOff) fn = plainOffHelpers[i]!;
      else if (modes[i] === Mode.BY_NAME && plainOff && byNameHelpers !== undefined) fn = byNameHelpers[i]!;
    }
    if (fn !== proto[h]) replaced = true;
    fns.push(fn);
  }
  // A replaced helper must be restored at the next configuration change: no room, no replacement.
  const keep = replaced && !trackSilenced(ctx);
  for (let i = 0; i < HELPER_NAMES.length; i++) {
    const h = HELPER_NAMES[i]!;
    const fn = keep ? proto[h] : fns[i]!;
    if (self[h] !== fn) self[h] = fn;
  }
}

/**
 * Own, non-enumerable helper slots on a new context (one hidden class for all), holding the class's
 * helpers until a level is found off.
 */
export function defineHelperSlots(ctx: object, proto: Readonly<Record<HelperName, Helper>>): void {
  for (const h of HELPER_NAMES) Object.defineProperty(ctx, h, { value: proto[h], writable: true, configurable: true, enumerable: false });
}

/** Run after every configuration change: the replaced helpers may no longer be right. */
function restoreSilenced(): void {
  const list = silenced;
  silenced = [];
  silencedSweepAt = SILENCED_SWEEP_MIN;
  silencedRefusals = 0;
  for (const ref of list) {
    const ctx = ref.deref();
    if (ctx !== undefined) setHelpers(ctx, {} as Record<HelperName, Helper>, undefined, false);
  }
}
setConfigGenerationHook(restoreSilenced);

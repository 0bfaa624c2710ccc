/**
 * Builds the normalised payload of one invocation outcome. Never throws: an unresolvable spec is
 * reported once and omitted, a throwing getter or builder is reported once and skipped.
 *
 * @module
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import type { LogContext } from '../context/log-context.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { UNRESOLVED, gateAllows, resolvePath } from './field-spec.ts';
import type { FieldSpec } from './field-spec.ts';
import type { ArgSpec, InvocationOutcome, InvocationPlan, PathSpec } from './options.ts';

const UNBOUNDED = Object.freeze({ unbounded: true });

/** What one outcome's payload is built from. */
export interface OutcomeInput {
  readonly outcome: InvocationOutcome;
  readonly self: unknown;
  readonly args: readonly unknown[];
  readonly result?: unknown;
  readonly error?: unknown;
  /** For failed/cancelled: whether the structured `error` payload goes in. */
  readonly logError?: boolean;
  /** Added as `durationMs` (success, failed, cancelled). */
  readonly durationMs?: number | undefined;
}

/** The verbosity, read once per payload, only when a gated spec needs it. */
class Verbosity {
  #read = false;
  #value: string | undefined;
  readonly ctx: LogContext;
  constructor(ctx: LogContext) {
    this.ctx = ctx;
  }
  allows(spec: FieldSpec): boolean {
    if (spec.gate === undefined) return true;
    if (!this.#read) {
      this.#read = true;
      try {
        this.#value = this.ctx.getPlainVerbosityLevel();
      } catch {
        this.#value = undefined;
      }
    }
    return gateAllows(spec, this.#value);
  }
}

/**
 * Raw values of one payload section, grouped by boundedness, normalised together with
 * `normalizePayload` so the processor sees each value under its key (key-based redaction applies:
 * `args: ['password']` logs `[REDACTED]`).
 */
class Section {
  bounded: Record<string, unknown> | undefined;
  unbounded: Record<string, unknown> | undefined;
  add(spec: FieldSpec | undefined, key: string, value: unknown): void {
    if (spec?.unbounded) (this.unbounded ??= {})[key] = value;
    else (this.bounded ??= {})[key] = value;
  }
  /** The normalised section, or `undefined` when nothing was added. */
  normalize(ctx: LogContext): JsonObject | undefined {
    const b = this.bounded === undefined ? undefined : ctx.normalizePayload(this.bounded);
    if (this.unbounded === undefined) return b;
    const u = ctx.normalizePayload(this.unbounded, UNBOUNDED);
    return b === undefined ? u : { ...b, ...u };
  }
}

function reportUnresolved(plan: InvocationPlan, holder: ArgSpec | PathSpec, where: string, error?: unknown): void {
  if (holder.reported) return;
  holder.reported = true;
  reportDiagnostic({
    component: 'logInvocation',
    code: 'spec.unresolved',
    message: `event '${plan.event}': ${where} spec '${holder.spec.text}' could not be resolved; the field is omitted (reported once per spec)`,
    error,
    details: { event: plan.event, spec: holder.spec.text, option: where },
  });
}

function reportOnce(plan: InvocationPlan, key: string, code: string, message: string, error: unknown): void {
  if (plan.reported.field.has(key)) return;
  plan.reported.field.add(key);
  reportDiagnostic({ component: 'logInvocation', code, message: `event '${plan.event}': ${message} (reported once)`, error, details: { event: plan.event } });
}

/** Raw values of the context fields, into `out`. */
function collectFields(
  plan: InvocationPlan,
  self: unknown,
  verbosity: Verbosity,
  out: Section,
): void {
  for (const holder of plan.fieldSpecs) {
    const spec = holder.spec;
    if (!verbosity.allows(spec)) continue;
    let v: unknown;
    try {
      v = resolvePath(self, spec.segments, 0);
    } catch (error) {
      reportUnresolved(plan, holder, 'fields', error);
      continue;
    }
    if (v === UNRESOLVED) {
      reportUnresolved(plan, holder, 'fields');
      continue;
    }
    out.add(spec, spec.alias, v);
  }
  for (const [name, getter] of plan.fieldGetters) {
    let v: unknown;
    try {
      v = getter(self);
    } catch (error) {
      reportOnce(plan, `getter:${name}`, 'field.failed', `the getter of field '${name}' threw; the field is omitted`, error);
      continue;
    }
    out.add(undefined, name, v);
  }
}

function firstPlainObject(args: readonly unknown[]): object | undefined {
  for (const a of args) {
    if (a !== null && typeof a === 'object') {
      const proto = Object.getPrototypeOf(a);
      if (proto === Object.prototype || proto === null) return a;
    }
  }
  return undefined;
}

function buildArgs(plan: InvocationPlan, ctx: LogContext, args: readonly unknown[], verbosity: Verbosity): JsonObject | undefined {
  const out = new Section();
  let optionsObject: object | undefined | null = null; // null: not looked for yet
  for (const holder of plan.argSpecs) {
    const spec = holder.spec;
    if (!verbosity.allows(spec)) continue;
    let v: unknown;
    try {
      let root: unknown;
      if (holder.argIndex >= 0) {
        // An argument not passed is `undefined`, as in the function itself: a bare spec resolves
        // (and the processor drops the key); a path through it does not.
        root = args[holder.argIndex];
      } else {
        if (optionsObject === null) optionsObject = firstPlainObject(args);
        root = optionsObject ?? UNRESOLVED;
      }
      v = root === UNRESOLVED ? UNRESOLVED : resolvePath(root, spec.segments, holder.from);
    } catch (error) {
      reportUnresolved(plan, holder, 'args', error);
      continue;
    }
    if (v === UNRESOLVED) {
      reportUnresolved(plan, holder, 'args');
      continue;
    }
    out.add(spec, spec.alias, v);
  }
  return out.normalize(ctx);
}

function buildResult(plan: InvocationPlan, ctx: LogContext, result: unknown, verbosity: Verbosity): JsonValue | undefined {
  if (plan.resultMode === 'whole') return ctx.normalizeValueForLog(result);
  const out = new Section();
  for (const holder of plan.resultSpecs) {
    const spec = holder.spec;
    if (!verbosity.allows(spec)) continue;
    let v: unknown;
    try {
      v = resolvePath(result, spec.segments, 0);
    } catch (error) {
      reportUnresolved(plan, holder, 'result', error);
      continue;
    }
    if (v === UNRESOLVED) {
      reportUnresolved(plan, holder, 'result');
      continue;
    }
    out.add(spec, spec.alias, v);
  }
  return out.normalize(ctx);
}

function errorPayload(ctx: LogContext, error: unknown): JsonValue {
  try {
    return ctx.buildErrorPayload(error);
  } catch {
    return ctx.normalizeValueForLog(error);
  }
}

/** Builds the payload of one outcome, normalised through the context. Never throws. */
export function buildOutcomePayload(plan: InvocationPlan, ctx: LogContext, input: OutcomeInput): JsonObject {
  const verbosity = new Verbosity(ctx);
  const { outcome } = input;
  // Fields are read once per outcome, whether the custom builder or the default payload uses them.
  let fields: Section | undefined;
  if (plan.hasFields) {
    fields = new Section();
    collectFields(plan, input.self, verbosity, fields);
  }
  if (plan.payload !== undefined) {
    const custom = runCustomBuilder(plan, ctx, input, fields);
    if (custom !== undefined) {
      if (input.durationMs !== undefined && !('durationMs' in custom)) custom.durationMs = input.durationMs;
      return custom;
    }
  }
  let out: JsonObject = {};
  if (fields !== undefined) {
    const normalized = fields.normalize(ctx);
    if (normalized !== undefined) out = { ...normalized };
  }
  if (outcome === 'invoke') {
    if (plan.argSpecs.length > 0) {
      const a = buildArgs(plan, ctx, input.args, verbosity);
      if (a !== undefined) out.args = a;
    }
  } else if (outcome === 'success') {
    if (plan.resultMode !== 'none') {
      const r = buildResult(plan, ctx, input.result, verbosity);
      if (r !== undefined) out.result = r;
    }
  } else {
    if (outcome === 'cancelled') out.cancelled = true;
    if (input.logError) out.error = errorPayload(ctx, input.error);
  }
  if (input.durationMs !== undefined) out.durationMs = input.durationMs;
  return out;
}

function runCustomBuilder(plan: InvocationPlan, ctx: LogContext, input: OutcomeInput, section: Section | undefined): JsonObject | undefined {
  const fields: Record<string, unknown> = { ...section?.bounded, ...section?.unbounded };
  const raw: { args: readonly unknown[]; self: unknown; fields: Record<string, unknown>; result?: unknown; error?: unknown } = {
    args: input.args,
    self: input.self,
    fields,
  };
  if (input.outcome === 'success') raw.result = input.result;
  if (input.outcome === 'failed' || input.outcome === 'cancelled') raw.error = input.error;
  let built: unknown;
  try {
    built = plan.payload!(input.outcome, raw);
  } catch (error) {
    reportOnce(plan, 'payload', 'payload.failed', 'the custom payload builder threw; the default payload is used', error);
    return undefined;
  }
  if (built === undefined || built === null) return undefined;
  if (typeof built !== 'object') {
    reportOnce(plan, 'payload-type', 'payload.invalid', `the custom payload builder returned a ${typeof built}, not an object; the default payload is used`, undefined);
    return undefined;
  }
  // Copied: durationMs is added afterwards and the processor may return a shared or frozen object.
  return { ...ctx.normalizePayload(built) };
}

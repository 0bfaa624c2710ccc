/**
 * The options of `logInvocation` and their compilation (validation when decorating).
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { validateNamespace } from '../context/namespace.ts';
import type { LogContext } from '../context/log-context.ts';
import { LogLevel, parseLogLevel } from '../level.ts';
import type { LogLevelName } from '../level.ts';
import { parseFieldSpec } from './field-spec.ts';
import type { FieldSpec } from './field-spec.ts';

/** The outcomes of an invocation, in lifecycle order. */
export type InvocationOutcome = 'invoke' | 'success' | 'failed' | 'cancelled';

/** The raw (not normalised) values a custom payload builder receives. */
export interface InvocationRawValues<This = any> {
  /** The call's arguments, as passed. */
  readonly args: readonly unknown[];
  /** The result (the resolved value for a promise), on `success`. */
  readonly result?: unknown;
  /** The thrown error or rejection reason, on `failed` and `cancelled`. */
  readonly error?: unknown;
  /** `this` of the call (`undefined` for a plain function). */
  readonly self: This;
  /** The context fields (option `fields`), re-read for this outcome; raw values. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * One rule of the error policy. The first rule matching the error wins; no rule matching means
 * `full` unless an inner decorated call already logged the error.
 */
export interface LogInvocationErrorRule {
  /** Matches errors that are `instanceof` this class. */
  readonly error?: abstract new (...args: any[]) => unknown;
  /** Matches errors for which this returns true (alone, or together with `error`: both must hold). */
  readonly test?: (error: unknown) => boolean;
  /**
   * `full`: the `failed` event carries the structured `error` payload at the `failed` level, even
   * when an inner call logged it already. `suppressed`: no `error` payload, level `failedSuppressed`
   * (an expected failure, e.g. invalid credentials).
   */
  readonly log: 'full' | 'suppressed';
}

/** Levels per outcome: a number or a level name (`'INFO'`). */
export interface LogInvocationLevels {
  /** @default LogLevel.DEBUG */
  readonly invoke?: number | LogLevelName;
  /** @default LogLevel.DEBUG */
  readonly success?: number | LogLevelName;
  /** A failure logged in full. @default LogLevel.ERROR */
  readonly failed?: number | LogLevelName;
  /** A failure suppressed by the error policy or already logged by an inner call. @default LogLevel.DEBUG */
  readonly failedSuppressed?: number | LogLevelName;
  /** @default LogLevel.INFO */
  readonly cancelled?: number | LogLevelName;
}

/** Options of `logInvocation`. */
export interface LogInvocationOptions<This = any> {
  /**
   * The event name (`meta.name`), e.g. `ldap.bind`: dot-separated segments of letters, digits,
   * `_` and `-` (the namespace grammar). Required.
   */
  readonly event: string;
  /**
   * Where the events go: a LogContext, a namespace (looked up with `getLogContext(ns)` at call time),
   * or a function of `this` returning a context (or `undefined`/`null`: no logging for that object).
   * @default `this.logContext`, else `this.getLogContext()`, else option `namespace`, else the root
   */
  readonly context?: LogContext | string | ((self: This) => LogContext | undefined | null);
  /** Namespace used when neither `context` nor `this` provides a context. @default the root */
  readonly namespace?: string;
  /** The entity id (`meta.entityId`); a throwing getter is reported once and gives none. @default `this.entityId` (a string; a number is made one) */
  readonly entityId?: (self: This, args: readonly unknown[]) => string | undefined;
  /**
   * The function's parameter names, in order, so `args` specs can name them (`'userDn'`). When
   * given, a spec naming an unknown parameter throws when decorating. When absent, a named spec reads
   * the key of the first plain-object argument (`bind({ userDn, password })`).
   */
  readonly params?: readonly string[];
  /** Field specs of the arguments logged on `invoke`, under `args`. @default none */
  readonly args?: readonly string[];
  /**
   * The result logged on `success`, under `result`: `true` for the whole result, or field specs
   * relative to it (`'ok'`, `'count=items.len()'`, `'0.id'`). @default not logged
   */
  readonly result?: boolean | readonly string[];
  /**
   * Context fields, re-read for every outcome and merged at the top level of each payload: field
   * specs on `this` (`'state'`, `'conn=connection.id'`) or getters (`{ state: (self) => self.state }`).
   */
  readonly fields?: readonly string[] | Readonly<Record<string, (self: This) => unknown>>;
  /**
   * A custom payload builder, called per outcome with the raw values; its object is normalised by
   * the context's payload processor and used as the payload (`durationMs` is still added).
   * Returning `undefined` keeps the default payload; throwing is reported and falls back to it.
   */
  readonly payload?: (outcome: InvocationOutcome, raw: InvocationRawValues<This>) => object | undefined;
  /** Levels per outcome. */
  readonly levels?: LogInvocationLevels;
  /** The error policy, first match wins. @default [] */
  readonly errors?: readonly LogInvocationErrorRule[];
  /**
   * What to do with a returned thenable that is not a native Promise. `complete-on-return` (default):
   * the call ends (`success`) when it returns, without calling `then` (lazy thenables such as query
   * builders run once per `then`). `observe`: subscribe with `then` once and end when it settles.
   * Native Promises are always observed.
   * @default 'complete-on-return'
   */
  readonly thenables?: 'complete-on-return' | 'observe';
}

/** System keys of the default payload; fields may not use them. */
export const SYSTEM_KEYS: ReadonlySet<string> = new Set(['args', 'result', 'error', 'cancelled', 'durationMs']);

/** An `args` spec whose first segment is resolved: an argument index, or `-1` = the options object. */
export interface ArgSpec {
  readonly spec: FieldSpec;
  readonly argIndex: number;
  /** Segment to continue from once the root is read. */
  readonly from: number;
  reported: boolean;
}

/** A spec read on `this` or on the result. */
export interface PathSpec {
  readonly spec: FieldSpec;
  reported: boolean;
}

/** Validated, precomputed options. */
export interface InvocationPlan {
  readonly event: string;
  readonly contextKind: 'fixed' | 'namespace' | 'provider' | 'default';
  readonly fixedContext: LogContext | undefined;
  readonly namespace: string | undefined;
  readonly provider: ((self: any) => LogContext | undefined | null) | undefined;
  readonly entityId: ((self: any, args: readonly unknown[]) => string | undefined) | undefined;
  readonly argSpecs: readonly ArgSpec[];
  readonly resultMode: 'none' | 'whole' | 'specs';
  readonly resultSpecs: readonly PathSpec[];
  readonly fieldSpecs: readonly PathSpec[];
  readonly fieldGetters: readonly (readonly [string, (self: any) => unknown])[];
  readonly hasFields: boolean;
  readonly payload: LogInvocationOptions['payload'];
  readonly levels: Readonly<Record<'invoke' | 'success' | 'failed' | 'failedSuppressed' | 'cancelled', number>>;
  readonly errors: readonly LogInvocationErrorRule[];
  readonly observeThenables: boolean;
  /** Flags of things reported once per decorated function. */
  readonly reported: { payload: boolean; entityId: boolean; context: boolean; field: Set<string> };
}

const KNOWN = new Set([
  'event', 'context', 'namespace', 'entityId', 'params', 'args', 'result', 'fields', 'payload', 'levels', 'errors', 'thenables',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, option: string): readonly string[] {
  if (!Array.isArray(v)) throw new MvxConfigError(option, 'must be an array of strings');
  return v as string[];
}

function level(v: unknown, option: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = parseLogLevel(v);
  if (n === undefined) throw new MvxConfigError(option, `must be an integer level or a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got ${String(v)}`);
  return n;
}

/**
 * Validates the options and precomputes everything a call needs. Throws {@link MvxConfigError}
 * naming the option for anything wrong.
 */
export function compileInvocationOptions(options: LogInvocationOptions): InvocationPlan {
  if (!isRecord(options)) throw new MvxConfigError('options', 'logInvocation needs an options object with at least `event`');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new MvxConfigError(key, `unknown option; valid: ${[...KNOWN].join(', ')}`);
  }
  const event = validateNamespace(options.event, 'event', false);

  let contextKind: InvocationPlan['contextKind'] = 'default';
  let fixedContext: LogContext | undefined;
  let provider: InvocationPlan['provider'];
  let namespace: string | undefined;
  if (options.namespace !== undefined) namespace = validateNamespace(options.namespace, 'namespace', true);
  const c = options.context;
  if (typeof c === 'string') {
    contextKind = 'namespace';
    namespace = validateNamespace(c, 'context', true);
  } else if (typeof c === 'function') {
    contextKind = 'provider';
    provider = c;
  } else if (c !== undefined) {
    if (c === null || typeof c !== 'object' || typeof (c as LogContext).emitLogEvent !== 'function') {
      throw new MvxConfigError('context', 'must be a LogContext, a namespace string or a function of `this` returning a LogContext');
    }
    contextKind = 'fixed';
    fixedContext = c;
  }
  if (options.entityId !== undefined && typeof options.entityId !== 'function') {
    throw new MvxConfigError('entityId', 'must be a function (self, args) => string | undefined');
  }

  let params: readonly string[] | undefined;
  if (options.params !== undefined) {
    params = stringList(options.params, 'params');
    params.forEach((p, i) => {
      if (typeof p !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) throw new MvxConfigError(`params[${i}]`, `must be an identifier, got ${String(p)}`);
    });
  }
  const argSpecs: ArgSpec[] = [];
  if (options.args !== undefined) {
    stringList(options.args, 'args').forEach((text, i) => {
      const option = `args[${i}]`;
      const spec = parseFieldSpec(text, option, 'args');
      const first = spec.segments[0]!;
      let argIndex: number;
      let from = 1;
      if (first.kind === 'index') {
        argIndex = first.index;
      } else if (first.kind === 'key' && params !== undefined) {
        argIndex = params.indexOf(first.key);
        if (argIndex < 0) throw new MvxConfigError(option, `'${first.key}' is not a declared parameter (params: ${params.join(', ') || 'none'})`);
      } else {
        argIndex = -1; // a key of the first plain-object argument
        from = 0;
      }
      argSpecs.push({ spec, argIndex, from, reported: false });
    });
  }

  let resultMode: InvocationPlan['resultMode'] = 'none';
  const resultSpecs: PathSpec[] = [];
  const r = options.result;
  if (r === true) resultMode = 'whole';
  else if (Array.isArray(r)) {
    resultMode = 'specs';
    r.forEach((text, i) => resultSpecs.push({ spec: parseFieldSpec(text, `result[${i}]`, 'result'), reported: false }));
    if (resultSpecs.length === 0) resultMode = 'whole';
  } else if (r !== undefined && r !== false) {
    throw new MvxConfigError('result', 'must be true, false or an array of field specs');
  }

  const fieldSpecs: PathSpec[] = [];
  const fieldGetters: (readonly [string, (self: any) => unknown])[] = [];
  const f = options.fields;
  if (Array.isArray(f)) {
    f.forEach((text, i) => {
      const spec = parseFieldSpec(text, `fields[${i}]`, 'self');
      if (SYSTEM_KEYS.has(spec.alias)) throw new MvxConfigError(`fields[${i}]`, `'${spec.alias}' is reserved (${[...SYSTEM_KEYS].join(', ')}); give an alias`);
      fieldSpecs.push({ spec, reported: false });
    });
  } else if (isRecord(f)) {
    for (const [name, getter] of Object.entries(f)) {
      if (typeof getter !== 'function') throw new MvxConfigError(`fields.${name}`, 'must be a function (self) => value');
      if (name === '__proto__') throw new MvxConfigError(`fields.${name}`, 'cannot be a payload key');
      if (SYSTEM_KEYS.has(name)) throw new MvxConfigError(`fields.${name}`, `'${name}' is reserved (${[...SYSTEM_KEYS].join(', ')})`);
      fieldGetters.push([name, getter]);
    }
  } else if (f !== undefined) {
    throw new MvxConfigError('fields', 'must be an array of field specs or an object of getters');
  }

  if (options.payload !== undefined && typeof options.payload !== 'function') {
    throw new MvxConfigError('payload', 'must be a function (outcome, raw) => object | undefined');
  }
  const lv = options.levels ?? {};
  if (!isRecord(lv)) throw new MvxConfigError('levels', 'must be an object');
  const levels = {
    invoke: level(lv.invoke, 'levels.invoke', LogLevel.DEBUG),
    success: level(lv.success, 'levels.success', LogLevel.DEBUG),
    failed: level(lv.failed, 'levels.failed', LogLevel.ERROR),
    failedSuppressed: level(lv.failedSuppressed, 'levels.failedSuppressed', LogLevel.DEBUG),
    cancelled: level(lv.cancelled, 'levels.cancelled', LogLevel.INFO),
  };
  const errors = options.errors ?? [];
  if (!Array.isArray(errors)) throw new MvxConfigError('errors', 'must be an array of { error?, test?, log } rules');
  errors.forEach((rule: LogInvocationErrorRule, i) => {
    const o = `errors[${i}]`;
    if (!isRecord(rule)) throw new MvxConfigError(o, 'must be an object { error?, test?, log }');
    if (rule.error === undefined && rule.test === undefined) throw new MvxConfigError(o, 'needs `error` (a class) or `test` (a predicate)');
    if (rule.error !== undefined && typeof rule.error !== 'function') throw new MvxConfigError(`${o}.error`, 'must be an error class');
    if (rule.test !== undefined && typeof rule.test !== 'function') throw new MvxConfigError(`${o}.test`, 'must be a function (error) => boolean');
    if (rule.log !== 'full' && rule.log !== 'suppressed') throw new MvxConfigError(`${o}.log`, "must be 'full' or 'suppressed'");
  });
  const th = options.thenables ?? 'complete-on-return';
  if (th !== 'complete-on-return' && th !== 'observe') throw new MvxConfigError('thenables', "must be 'complete-on-return' or 'observe'");

  return {
    event,
    contextKind,
    fixedContext,
    namespace,
    provider,
    entityId: options.entityId,
    argSpecs,
    resultMode,
    resultSpecs,
    fieldSpecs,
    fieldGetters,
    hasFields: fieldSpecs.length > 0 || fieldGetters.length > 0,
    payload: options.payload,
    levels,
    errors: [...errors],
    observeThenables: th === 'observe',
    reported: { payload: false, entityId: false, context: false, field: new Set() },
  };
}

/**
 * Bound contexts (`ctx.bind({ requestId })`): a view of a `LogContext` whose events carry the bound
 * fields in their payload, and optionally the caller's source location (callsite capture).
 *
 * A view holds no settings of its own: level, policy, sampling, sink and processor are those of
 * its context, read at each call (so a reconfiguration applies to views handed out earlier). The
 * bound fields go into the payload before the call's own fields (the call wins on a clash, as in
 * structlog and Ko-Log) and pass through the processor like any payload (redaction, limits). A
 * disabled event costs the context's disabled path plus one call: no merge, no stack walk.
 *
 * Callsite capture (`bind(fields, { callsite: true })`) fills the event's `meta.source`
 * (`functionName`, `filePath`, `line`) from `node:util` `getCallSites()` for enabled events only.
 * It walks the stack, so it costs microseconds per event (the `callsite` benchmark); it is off by
 * default. A call that passes its own `source` option keeps it.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { getCallSites } from 'node:util';
import { MvxConfigError } from '../../errors.ts';
import type { LogSource } from '../event.ts';
import { LogLevel } from '../level.ts';
import type { LogContext } from './log-context.ts';
import type { IsEnabledOptions, LogEventOptions, LogPayloadInput } from './log-context-types.ts';

/** Options of `LogContext.bind` and {@link BoundLogContext.bind}. */
export interface BindOptions {
  /**
   * Capture the caller's function, file and line into `meta.source` of every enabled event.
   * @default false (a view made from a view keeps the setting of its origin unless given)
   */
  callsite?: boolean;
}

type Fields = Readonly<Record<string, unknown>>;

function readFields(fields: unknown): Fields {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new MvxConfigError('fields', `must be an object of fields to bind, got ${Array.isArray(fields) ? 'an array' : fields === null ? 'null' : typeof fields}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) out[key] = (fields as Record<string, unknown>)[key];
  return Object.freeze(out);
}

function toSource(site: { functionName: string; scriptName: string; lineNumber: number } | undefined): LogSource | undefined {
  if (site === undefined) return undefined;
  let filePath = site.scriptName;
  if (filePath.startsWith('file:')) {
    try {
      filePath = fileURLToPath(filePath);
    } catch {
      // keep the URL
    }
  }
  const source: { functionName?: string; filePath?: string; line?: number } = {};
  if (site.functionName !== '') source.functionName = site.functionName;
  if (filePath !== '') source.filePath = filePath;
  if (site.lineNumber > 0) source.line = site.lineNumber;
  return source;
}

/**
 * The caller of a public method of {@link BoundLogContext}: frame 0 is this function, 1 the
 * view's `#emit`, 2 the public method, 3 its caller.
 */
function callerSource(): LogSource | undefined {
  try {
    return toSource(getCallSites(4)[3]);
  } catch {
    return undefined;
  }
}

/** A payload with the bound fields first; the call's own fields win. */
function mergePayload(fields: Fields, payload: unknown): Record<string, unknown> {
  const raw = typeof payload === 'function' ? (payload as () => unknown)() : payload;
  if (raw === undefined || raw === null) return { ...fields };
  if (raw instanceof Map) {
    const out: Record<string, unknown> = { ...fields };
    for (const [k, v] of raw) out[String(k)] = v;
    return out;
  }
  if (typeof raw === 'object' && !Array.isArray(raw)) return { ...fields, ...(raw as Record<string, unknown>) };
  // Not an object: kept whole under `payload`, next to the bound fields.
  return { ...fields, payload: raw };
}

/**
 * A view of a {@link LogContext} with bound fields (see the module comment). Made by
 * `ctx.bind(fields)`; immutable: `bind` and `unbind` return new views.
 *
 * @example
 * ```ts
 * const log = getLogContext('orders.api').bind({ requestId: 'r-1' });
 * log.info('order.placed', { orderId: 7 }); // payload { requestId: 'r-1', orderId: 7 }
 * ```
 */
export class BoundLogContext {
  /** The context the view logs through. */
  readonly context: LogContext;
  /** The bound fields (frozen). */
  readonly fields: Fields;
  /** Whether events carry the caller's source location. */
  readonly callsite: boolean;

  /** @throws MvxConfigError (option `fields`) when `fields` is not an object. */
  constructor(context: LogContext, fields: unknown, options: BindOptions = {}) {
    this.context = context;
    this.fields = readFields(fields);
    this.callsite = options.callsite === true;
  }

  /** The context's namespace. */
  get namespace(): string {
    return this.context.namespace;
  }

  /**
   * A view with more fields (a new key is added, a bound key replaced).
   * @throws MvxConfigError (option `fields`) when `fields` is not an object.
   */
  bind(fields: Record<string, unknown>, options: BindOptions = {}): BoundLogContext {
    return new BoundLogContext(this.context, { ...this.fields, ...readFields(fields) }, { callsite: options.callsite ?? this.callsite });
  }

  /** A view without these keys (a key that is not bound is ignored). */
  unbind(...keys: string[]): BoundLogContext {
    const out: Record<string, unknown> = { ...this.fields };
    for (const key of keys) delete out[key];
    return new BoundLogContext(this.context, out, { callsite: this.callsite });
  }

  /** The same fields on the child context `<namespace>.<segment>`. @throws MvxConfigError as `LogContext.child`. */
  child(segment: string): BoundLogContext {
    return new BoundLogContext(this.context.child(segment), this.fields, { callsite: this.callsite });
  }

  /** As `LogContext.isEnabled`. */
  isEnabled(name: string, level: number = LogLevel.INFO, options?: IsEnabledOptions): boolean {
    return this.context.isEnabled(name, level, options);
  }

  #emit(name: string, level: number, payload: LogPayloadInput, options: LogEventOptions | undefined): void {
    const ctx = this.context;
    if (!ctx.isEnabled(name, level, options)) return;
    let opts = options;
    if (this.callsite && (opts === undefined || opts === null || opts.source === undefined)) {
      const source = callerSource();
      if (source !== undefined) opts = { ...opts, source };
    }
    const fields = this.fields;
    ctx.logEvent(name, level, () => mergePayload(fields, payload), opts);
  }

  /** As `LogContext.logEvent`, with the bound fields in the payload. Never throws (but in `raise` mode, as the context). */
  logEvent(name: string, level: number, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, level, payload, options);
  }

  /** Emits at DEBUG (10). */
  debug(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, LogLevel.DEBUG, payload, options);
  }

  /** Emits at INFO (20). */
  info(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, LogLevel.INFO, payload, options);
  }

  /** Emits at WARNING (30). */
  warning(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, LogLevel.WARNING, payload, options);
  }

  /** Emits at ERROR (40). */
  error(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, LogLevel.ERROR, payload, options);
  }

  /** Emits at CRITICAL (50). */
  critical(name: string, payload?: LogPayloadInput, options?: LogEventOptions): void {
    this.#emit(name, LogLevel.CRITICAL, payload, options);
  }
}

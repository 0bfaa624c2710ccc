/**
 * Named sinks: the facade's registry of sinks by name (the MVX reference's `configure_log_sink`,
 * `get_log_sink`, `close_log_sink`, `reset_logger`).
 *
 * A named sink is built from a descriptor (its class and options) once: configuring the same name
 * with an equal descriptor returns the sink already built (idempotent, so modules that each
 * configure the sink they use share one), a different descriptor is a conflict. Contexts use a
 * named sink by holding it (`configureLogContext(ns, { sink: getLogSink('audit') })`); closing it
 * is refused while a facade context holds it as its own sink.
 *
 * Deviations from the reference (its spec lists them as weaknesses): `resetLogger` restores the
 * root's bootstrap settings *before* closing the sinks and whatever the terminators do, so the root
 * never stays bound to a closed sink; terminators are bounded and their failures are reported in
 * the result (and through diagnostics), never thrown; there is no pre-registered `"stderr"` name
 * (the root's console sink is not in the registry, so no reset can close it).
 *
 * @module
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { MvxConfigError, MvxStateError } from '../../errors.ts';
import { waitBounded } from '../../lifecycle/bounded-wait.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { getLogContext, getLogContextNamespaces, resetLogContexts } from './facade.ts';

/** The class of a sink a descriptor builds: constructed with the descriptor's `options`. */
export type LogSinkClass<O = never> = new (options: O) => LogSink;

/** How a named sink is built; two descriptors are equal when the class is the same and the options are deeply equal. */
export interface LogSinkDescriptor {
  /** The sink class (e.g. `FileSink`). */
  readonly type: LogSinkClass<never>;
  /** Options passed to the constructor (plain data compared structurally; functions and class instances by identity). @default `{}` */
  readonly options?: unknown;
}

/** Options of {@link configureLogSink}. */
export interface ConfigureLogSinkOptions<O> {
  /** The sink's name: a letter, then letters, digits, `_` or `-` (the reference's grammar). */
  name: string;
  /** The sink class, constructed as `new type(options)`. */
  type: LogSinkClass<O>;
  /** Constructor options. @default `{}` */
  options?: O;
  /**
   * Ends the sink when it is closed (`closeLogSink`, `resetLogger`). Should be idempotent.
   * @default `sink.shutdown({ timeoutMs })` when the sink has one, else nothing
   */
  terminate?: (sink: LogSink, options: { timeoutMs: number }) => unknown;
}

/** What closing one named sink did. */
export interface LogSinkCloseResult {
  /** The sink's name. */
  readonly name: string;
  /** `done`: the terminator finished; `failed`: it threw or rejected (see `error`); `timeout`: it outlived the bound. */
  readonly status: 'done' | 'failed' | 'timeout';
  /** What the terminator resolved with (the sink's shutdown report), when it finished. */
  readonly report?: unknown;
  /** The terminator's failure, when it failed. */
  readonly error?: unknown;
}

/** Options of {@link closeLogSink} and {@link resetLogger}. */
export interface CloseLogSinkOptions {
  /** Bound of each terminator, in ms. @default 5000 */
  timeoutMs?: number;
}

interface Entry {
  readonly name: string;
  readonly sink: LogSink;
  readonly type: LogSinkClass<never>;
  readonly options: unknown;
  readonly terminate: (sink: LogSink, options: { timeoutMs: number }) => unknown;
}

const SINK_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
const entries = new Map<string, Entry>();

function defaultTerminate(sink: LogSink, options: { timeoutMs: number }): unknown {
  return typeof sink.shutdown === 'function' ? sink.shutdown(options) : undefined;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Structural equality of plain data (objects, arrays, primitives); anything else by identity. */
function sameOptions(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (depth > 32 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameOptions(v, b[i], depth + 1));
  }
  if (!isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameOptions((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1));
}

/** A one-line description of a descriptor for error messages: `FileSink {"path":"a.log"}`. */
export function describeLogSinkDescriptor(descriptor: LogSinkDescriptor): string {
  let options: string;
  try {
    options = JSON.stringify(descriptor.options ?? {}, (_k, v: unknown) => (typeof v === 'function' ? `[function ${(v as { name?: string }).name || 'anonymous'}]` : v)) ?? '{}';
  } catch {
    options = '[options not serialisable]';
  }
  if (options.length > 300) options = `${options.slice(0, 300)}…`;
  return `${descriptor.type.name || 'anonymous sink class'} ${options}`;
}

function validateName(name: unknown): string {
  if (typeof name !== 'string') throw new MvxConfigError('name', `must be a string, got ${typeof name}`);
  if (!SINK_NAME.test(name)) throw new MvxConfigError('name', `"${name}" is not a valid sink name: a letter, then letters, digits, '_' or '-'`);
  return name;
}

/**
 * Builds the named sink, or returns the one already built for an equal descriptor.
 *
 * @example
 * ```ts
 * const audit = configureLogSink({ name: 'audit', type: FileSink, options: { path: 'logs/audit.log' } });
 * configureLogContext('orders', { sink: audit });
 * ```
 * @throws MvxConfigError (option `name`) for an invalid name or when the name is configured with a
 *   different descriptor (the message names both); (option `type`) when `type` is not a class; the
 *   sink constructor's own error when it rejects the options.
 */
export function configureLogSink<O>(options: ConfigureLogSinkOptions<O>): LogSink {
  if (options === null || typeof options !== 'object') throw new MvxConfigError('options', 'must be an object');
  const name = validateName(options.name);
  const type = options.type;
  if (typeof type !== 'function') throw new MvxConfigError('type', 'must be a sink class (a constructor taking the options)');
  const sinkOptions = options.options ?? ({} as O);
  const terminate = options.terminate ?? defaultTerminate;
  if (typeof terminate !== 'function') throw new MvxConfigError('terminate', 'must be a function');
  const requested: LogSinkDescriptor = { type: type as LogSinkClass<never>, options: sinkOptions };
  const existing = entries.get(name);
  if (existing !== undefined) {
    if (existing.type === requested.type && sameOptions(existing.options, sinkOptions)) return existing.sink;
    const a = describeLogSinkDescriptor(existing);
    const b = describeLogSinkDescriptor(requested);
    throw new MvxConfigError('name', `log sink "${name}" is already configured as ${a}; cannot configure it as ${b} (close it first)`, {
      details: { name, existing: a, requested: b },
    });
  }
  const sink = new type(sinkOptions);
  if (sink === null || typeof sink !== 'object' || typeof (sink as Partial<LogSink>).log !== 'function') {
    throw new MvxConfigError('type', `new ${type.name}(options) did not build a sink (an object with log(event))`);
  }
  entries.set(name, { name, sink, type: requested.type, options: sinkOptions, terminate });
  return sink;
}

/** What {@link replaceLogSink} did: the new sink, the one it replaced, and how to close that one. */
export interface LogSinkReplacement {
  /** The sink now registered under the name. */
  readonly sink: LogSink;
  /** The sink it replaced (`undefined` when the name was free); already out of the registry and of every facade context. */
  readonly previous: LogSink | undefined;
  /** The namespaces of the facade contexts that were re-pointed from `previous` to `sink` (`''` is the root). */
  readonly contexts: readonly string[];
  /** Runs the previous sink's terminator (bounded); resolves `undefined` when there was none. Never rejects. */
  closePrevious(options?: CloseLogSinkOptions): Promise<LogSinkCloseResult | undefined>;
}

/**
 * Replaces a named sink in place, synchronously: builds the new sink (an equal descriptor keeps the
 * existing one: nothing is replaced), registers it under the name, and re-points every facade
 * context that holds the previous sink as its own to the new one, all before returning, so no event
 * is logged in between. The previous sink keeps what it already accepted until
 * `closePrevious()` flushes and ends it; each event goes to exactly one of the two.
 *
 * @throws MvxConfigError as {@link configureLogSink} (nothing changes then).
 */
export function replaceLogSink<O>(options: ConfigureLogSinkOptions<O>): LogSinkReplacement {
  const name = validateName(options?.name);
  const previous = entries.get(name);
  if (previous !== undefined && previous.type === (options.type as unknown) && sameOptions(previous.options, options.options ?? {})) {
    return { sink: previous.sink, previous: undefined, contexts: [], closePrevious: () => Promise.resolve(undefined) };
  }
  if (previous !== undefined) entries.delete(name);
  let sink: LogSink;
  try {
    sink = configureLogSink(options);
  } catch (error) {
    if (previous !== undefined) entries.set(name, previous);
    throw error;
  }
  if (previous === undefined) return { sink, previous: undefined, contexts: [], closePrevious: () => Promise.resolve(undefined) };
  const holders = holdersOf(previous.sink);
  for (const ns of holders) getLogContext(ns).setSink(sink);
  let closing: Promise<LogSinkCloseResult> | undefined;
  return {
    sink,
    previous: previous.sink,
    contexts: holders,
    closePrevious: (o: CloseLogSinkOptions = {}) => (closing ??= terminate(previous, o.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS)),
  };
}

/** The named sink, or `undefined`. */
export function getLogSink(name: string): LogSink | undefined {
  return entries.get(name)?.sink;
}

/** The names of the configured sinks, in registration order. */
export function getConfiguredLogSinkNames(): string[] {
  return [...entries.keys()];
}

/** The configured sinks, in registration order (exit handlers flush these). Internal. */
export function configuredLogSinks(): LogSink[] {
  return [...entries.values()].map((e) => e.sink);
}

/** The namespaces of the facade contexts holding `sink` as their own sink (`''` is the root). */
function holdersOf(sink: LogSink): string[] {
  return getLogContextNamespaces().filter((ns) => getLogContext(ns).localSettings().sink === sink);
}

async function terminate(entry: Entry, timeoutMs: number): Promise<LogSinkCloseResult> {
  const r = await waitBounded(() => entry.terminate(entry.sink, { timeoutMs }), { timeoutMs, holdProcess: true });
  if (r.status === 'done') return { name: entry.name, status: 'done', report: r.value };
  const failed = r.status === 'failed';
  reportDiagnostic({
    component: 'named-sinks',
    code: failed ? 'sink.close_failed' : 'sink.close_timeout',
    message: failed ? `closing log sink "${entry.name}" failed; it is removed anyway` : `closing log sink "${entry.name}" took longer than ${timeoutMs} ms; it is removed anyway`,
    ...(failed ? { error: r.error } : {}),
    details: { name: entry.name },
  });
  return failed ? { name: entry.name, status: 'failed', error: r.error } : { name: entry.name, status: 'timeout' };
}

/**
 * Closes a named sink: removes it from the registry, then runs its terminator (bounded). Resolves
 * with `undefined` for an unknown name. A failing terminator does not keep the sink registered:
 * the result says `failed` with the error (also reported through diagnostics). Never rejects.
 *
 * @throws MvxStateError (code `MVX_INVALID_STATE`, `details.state` `in-use`), synchronously, when a facade context holds the sink
 *   as its own sink (`details.contexts` lists them, `"<root>"` for the root); inherited use does not count.
 */
export function closeLogSink(name: string, options: CloseLogSinkOptions = {}): Promise<LogSinkCloseResult | undefined> {
  const entry = entries.get(name);
  if (entry === undefined) return Promise.resolve(undefined);
  const holders = holdersOf(entry.sink).map((ns) => (ns === '' ? '<root>' : ns));
  if (holders.length > 0) {
    throw new MvxStateError(`log sink "${name}" is in use by the context(s) ${holders.join(', ')}; give them another sink first`, 'in-use', {
      details: { name, contexts: holders },
    });
  }
  entries.delete(name);
  return terminate(entry, options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
}

/**
 * Resets the logger: drops every non-root context, restores the root's bootstrap settings, then
 * closes every named sink in reverse registration order (one after the other, each bounded) and
 * empties the registry. Resolves with one result per sink, in closing order; never rejects.
 */
export async function resetLogger(options: CloseLogSinkOptions = {}): Promise<LogSinkCloseResult[]> {
  resetLogContexts({ root: true });
  const closing = [...entries.values()].reverse();
  entries.clear();
  const results: LogSinkCloseResult[] = [];
  for (const entry of closing) results.push(await terminate(entry, options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS));
  return results;
}

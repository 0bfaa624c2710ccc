/**
 * The built-in payload processor: turns any payload or value into bounded, redacted, JSON-safe data
 * before a sink sees it. See `docs/payload-processor.md` for every representation and marker.
 */
import { types as utilTypes } from 'node:util';
import type { JsonObject, JsonValue } from '../json.ts';
import type { LogPayloadProcessorLike, LogVerbosityLevel, NormalizeOptions } from '../payload-processor-like.ts';
import { unreadable } from './markers.ts';
import { PAYLOAD_DEFAULTS, buildSettings, checkLimit, checkResolver, checkSerializer, checkVerbosity } from './options.ts';
import type { LogPayloadProcessorOptions, PayloadSettings } from './options.ts';
import { PayloadWalker } from './payload-walker.ts';
import type { LogSerializerClass, LogSerializerResolver, LogValueSerializer } from './provider.ts';

/**
 * The default {@link LogPayloadProcessorLike}.
 *
 * Per value, in order: a `toLogPayload(verbosity)` provider, a serializer registered for its class
 * (prototype chain, most specific first), the resolver's serializer, then the built-in rules.
 * Provider and serializer output is normalised again like any value (bounded, redacted, JSON-safe). Values
 * under sensitive keys are replaced at every depth. No method throws; configuration methods throw
 * `MvxConfigError` naming the option.
 *
 * Settings can be changed after construction (`setVerbosity`, `setMaxStringLength`, ...); a change
 * applies to calls that start afterwards. JavaScript runs one call at a time per thread, so no lock
 * is needed; a processor is not shared between worker threads.
 *
 * @example
 * ```ts
 * const processor = new LogPayloadProcessor({ maxItems: 20, redact: { keys: ['ssn'] } });
 * processor.normalizePayload({ user: 'ann', password: 'x', tags: new Set(['a']) });
 * // { user: 'ann', password: '[REDACTED]', tags: ['a'] }
 * ```
 */
export class LogPayloadProcessor implements LogPayloadProcessorLike {
  #settings: PayloadSettings;
  readonly #walker = new PayloadWalker();

  /** @throws MvxConfigError when an option is invalid (the error names it). */
  constructor(options?: LogPayloadProcessorOptions) {
    this.#settings = buildSettings(options);
  }

  /** Verbosity handed to providers and serializers; decides the error stack. */
  get verbosity(): LogVerbosityLevel {
    return this.#settings.verbosity;
  }
  /** Longest string kept (UTF-16 code units). */
  get maxStringLength(): number {
    return this.#settings.maxStringLength;
  }
  /** Items kept per array, Set, Map, typed array. */
  get maxItems(): number {
    return this.#settings.maxItems;
  }
  /** Keys kept per object. */
  get maxKeys(): number {
    return this.#settings.maxKeys;
  }
  /** Container nesting normalised. */
  get maxDepth(): number {
    return this.#settings.maxDepth;
  }
  /** Error cause links followed. */
  get maxErrorCauses(): number {
    return this.#settings.maxErrorCauses;
  }
  /** Values emitted per call. */
  get maxNodes(): number {
    return this.#settings.maxNodes;
  }
  /** Size of one call's output as JSON text (see the `maxBytes` option). */
  get maxBytes(): number {
    return this.#settings.maxBytes;
  }
  /** Longest error stack kept. */
  get maxStackLength(): number {
    return this.#settings.maxStackLength;
  }
  /** What replaces a value under a sensitive key. */
  get redactedValue(): string {
    return this.#settings.redactedValue;
  }
  /** The serializer resolver, if one is set. */
  get resolver(): LogSerializerResolver | undefined {
    return this.#settings.resolver;
  }

  /** Sets the verbosity. @throws MvxConfigError */
  setVerbosity(verbosity: LogVerbosityLevel): void {
    this.#update({ verbosity: checkVerbosity(verbosity) });
  }
  /** Back to `NORMAL`. */
  resetVerbosity(): void {
    this.#update({ verbosity: PAYLOAD_DEFAULTS.verbosity });
  }
  /** @throws MvxConfigError */
  setMaxStringLength(value: number): void {
    this.#update({ maxStringLength: checkLimit('maxStringLength', value) });
  }
  /** Back to 1024. */
  resetMaxStringLength(): void {
    this.#update({ maxStringLength: PAYLOAD_DEFAULTS.maxStringLength });
  }
  /** @throws MvxConfigError */
  setMaxItems(value: number): void {
    this.#update({ maxItems: checkLimit('maxItems', value) });
  }
  /** Back to 100. */
  resetMaxItems(): void {
    this.#update({ maxItems: PAYLOAD_DEFAULTS.maxItems });
  }
  /** @throws MvxConfigError */
  setMaxKeys(value: number): void {
    this.#update({ maxKeys: checkLimit('maxKeys', value) });
  }
  /** Back to 100. */
  resetMaxKeys(): void {
    this.#update({ maxKeys: PAYLOAD_DEFAULTS.maxKeys });
  }
  /** @throws MvxConfigError */
  setMaxDepth(value: number): void {
    this.#update({ maxDepth: checkLimit('maxDepth', value) });
  }
  /** Back to 10. */
  resetMaxDepth(): void {
    this.#update({ maxDepth: PAYLOAD_DEFAULTS.maxDepth });
  }
  /** Sets the serializer resolver. @throws MvxConfigError when not a function */
  setResolver(resolver: LogSerializerResolver): void {
    const checked = checkResolver(resolver);
    if (checked === undefined) checkResolver(null);
    this.#update({ resolver: checked });
  }
  /** Removes the serializer resolver. */
  resetResolver(): void {
    this.#update({ resolver: undefined });
  }
  /** Registers (or replaces) the serializer of a class. @throws MvxConfigError (option `serializer[0]` / `serializer[1]`) */
  setSerializer(cls: LogSerializerClass, serializer: LogValueSerializer): void {
    this.#register(cls, serializer, 'serializer');
  }
  /** Removes the serializer of a class; returns whether there was one. */
  removeSerializer(cls: LogSerializerClass): boolean {
    const key = (cls as { prototype?: unknown } | null | undefined)?.prototype;
    if (typeof key !== 'object' || key === null || !this.#settings.serializers.has(key)) return false;
    const serializers = new Map(this.#settings.serializers);
    serializers.delete(key);
    this.#update({ serializers });
    return true;
  }
  /** @deprecated Renamed {@link setSerializer}; removed in the next release. @throws MvxConfigError (option `adapter[0]` / `adapter[1]`) */
  setAdapter(cls: LogSerializerClass, adapter: LogValueSerializer): void {
    this.#register(cls, adapter, 'adapter');
  }
  /** @deprecated Renamed {@link removeSerializer}; removed in the next release. */
  removeAdapter(cls: LogSerializerClass): boolean {
    return this.removeSerializer(cls);
  }
  #register(cls: LogSerializerClass, serializer: LogValueSerializer, option: string): void {
    const key = checkSerializer(cls, serializer, option);
    const serializers = new Map(this.#settings.serializers);
    serializers.set(key, serializer);
    this.#update({ serializers });
  }

  /**
   * The options that give this processor's behaviour to another processor, in another thread or
   * process (the log bridge sends them to workers): verbosity, every limit, the redaction entries
   * (`mode: 'replace'`) and `redactedValue`. Not `serializers` or `resolver`, which are code: `hasCode`
   * says whether some are set (register them where the other processor lives).
   */
  portableOptions(): { readonly options: LogPayloadProcessorOptions; readonly hasCode: boolean } {
    const s = this.#settings;
    return {
      options: {
        verbosity: s.verbosity,
        maxStringLength: s.maxStringLength,
        maxItems: s.maxItems,
        maxKeys: s.maxKeys,
        maxDepth: s.maxDepth,
        maxErrorCauses: s.maxErrorCauses,
        maxNodes: s.maxNodes,
        maxStackLength: s.maxStackLength,
        maxBytes: s.maxBytes,
        redact: { mode: 'replace', keys: [...s.redactor.sources] },
        redactedValue: s.redactedValue,
      },
      hasCode: s.serializers.size > 0 || s.resolver !== undefined,
    };
  }

  /** Whether values under `key` are redacted (for components that name values, e.g. arguments). */
  isSensitiveKey(key: string): boolean {
    return this.#settings.redactor.isSensitive(key);
  }

  /**
   * Normalises a whole payload. An object (plain, class instance, `Map` with primitive keys, error,
   * provider) gives its normalised object; `null`/`undefined` give `{}`; anything whose normalised
   * form is not an object (a string, a number, an array, a Set) is wrapped as `{ value: … }`.
   */
  normalizePayload(payload: unknown, options?: NormalizeOptions): JsonObject {
    if (payload === undefined || payload === null) return {};
    const out = this.normalizeValueForLog(payload, options);
    if (out !== null && typeof out === 'object' && !Array.isArray(out)) return out;
    return { value: out };
  }

  /** Normalises one value; `undefined` gives `null`. Never throws. */
  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue {
    let walker = this.#walker;
    if (walker.busy) walker = new PayloadWalker(); // re-entrant call (a provider that logs)
    walker.begin(this.#settings, options?.unbounded === true);
    try {
      return walker.item(value, 0);
    } catch (err) {
      return unreadable(err);
    } finally {
      walker.end();
    }
  }

  /** The verbosity as a plain string: `'MINIMAL'`, `'NORMAL'` or `'MAXIMUM'`. */
  getPlainVerbosityLevel(): string {
    return this.#settings.verbosity;
  }

  /**
   * A structured error payload:
   * `{ type, name?, message, code?, stack?, ...own fields, fields?, cause?, errors? }`.
   * `type` is the constructor name; `name` only when it differs from `type` and from `'Error'`;
   * `stack` by verbosity (none at MINIMAL, 10 frames at NORMAL, all at MAXIMUM; at most
   * `maxStackLength`); own enumerable fields redacted and bounded by `maxKeys` (one named like a
   * fixed field goes under `fields`); `cause` followed up to `maxErrorCauses` links; `errors`
   * (`AggregateError`) as an array bounded by `maxItems`. An error with `toLogPayload` (such as
   * `MvxError`) uses it, plus `stack` and `cause` when it does not give them. A value that is not an
   * error gives `{ type, value }` (`type` is `typeof`, or the class name for objects).
   */
  normalizeError(error: unknown): JsonObject {
    const out = this.normalizeValueForLog(error);
    if (isErrorLike(error) && out !== null && typeof out === 'object' && !Array.isArray(out)) return out;
    return { type: nonErrorType(error), value: out };
  }

  #update(change: Partial<PayloadSettings>): void {
    this.#settings = Object.freeze({ ...this.#settings, ...change });
  }
}

function isErrorLike(value: unknown): boolean {
  try {
    return value instanceof Error || utilTypes.isNativeError(value);
  } catch {
    return false;
  }
}

function nonErrorType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name.length > 0 && name.length <= 64 ? name : 'Object';
  } catch {
    return 'Object';
  }
}

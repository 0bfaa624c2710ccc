/**
 * Options of the built-in payload processor, their defaults and their validation.
 */
import { MvxConfigError } from '../../errors.ts';
import { guardConfig, readOptions } from '../../internal/config-read.ts';
import { LogVerbosity } from '../payload-processor-like.ts';
import type { LogVerbosityLevel } from '../payload-processor-like.ts';
import type { LogSerializerClass, LogSerializerResolver, LogValueSerializer } from './provider.ts';
import { DEFAULT_REDACT_KEYS, KeyRedactor } from './redaction.ts';
import type { RedactOptions } from './redaction.ts';

/** Options of `LogPayloadProcessor`. Every option is optional; invalid ones throw `MvxConfigError`. */
export interface LogPayloadProcessorOptions {
  /**
   * Passed to providers and serializers; decides the error `stack` (MINIMAL: none, NORMAL: the first
   * 10 frames, MAXIMUM: all) and is what `getPlainVerbosityLevel()` returns.
   * @default 'NORMAL'
   */
  verbosity?: LogVerbosityLevel;
  /**
   * Longest string kept, in UTF-16 code units; longer strings (values, keys, URLs, function names)
   * are cut and end with `…[+N chars]`. Applies also to `unbounded` calls. 1 to 2^28.
   * @default 1024
   */
  maxStringLength?: number;
  /** Items kept per array, Set, Map and typed array; then `'[… N more items]'`. 1 to 10^7. @default 100 */
  maxItems?: number;
  /** Keys kept per object (and error own fields); then `__more__: 'N more keys'`. 1 to 10^7. @default 100 */
  maxKeys?: number;
  /**
   * Container nesting normalised; a container at this depth becomes `'[Type: depth limit]'`. The
   * payload object itself is depth 0. Applies also to `unbounded` calls. 1 to 1000.
   * @default 10
   */
  maxDepth?: number;
  /** Error `cause` links followed in one chain; then `'[… cause chain limit]'`. 0 to 100. @default 5 */
  maxErrorCauses?: number;
  /**
   * Values emitted per call, all levels together: the budget that keeps a call bounded when a small
   * graph shares one object many times (output would otherwise grow as maxItems^maxDepth). When
   * spent, collections end with their "more" marker. Applies also to `unbounded` calls.
   * 1 to 10^8.
   * @default 10000
   */
  maxNodes?: number;
  /** Longest error `stack` kept, in UTF-16 code units (cut like other strings). 1 to 2^28. @default 16384 */
  maxStackLength?: number;
  /**
   * Size of the whole output of one call, as JSON text: every string and key counts its length
   * (UTF-16 code units) plus its quotes and punctuation, a number 24 (the longest a number's JSON
   * text can be), `true`/`false`/`null` 5. When spent, strings are cut to the room left and
   * collections end with their "more" marker, as with `maxNodes`, so one event can never become a
   * line of hundreds of megabytes. Exact for ASCII text; UTF-8 takes up to 3 bytes per code unit
   * outside ASCII, and JSON escapes of control characters up to 6. Applies also to `unbounded`
   * calls. 256 to 2^30.
   * @default 262144 (256 KiB: the event size limit of CloudWatch Logs and Google Cloud Logging)
   */
  maxBytes?: number;
  /** Which keys are sensitive. @default { mode: 'extend', keys: [] } (the {@link DEFAULT_REDACT_KEYS}) */
  redact?: RedactOptions;
  /** What replaces a value under a sensitive key. @default '[REDACTED]' */
  redactedValue?: string;
  /**
   * Serializers by class (a `Map` or any iterable of `[class, serializer]` pairs). The value's
   * prototype chain is searched from the value up, so the most specific registered class wins.
   */
  serializers?: Iterable<readonly [LogSerializerClass, LogValueSerializer]>;
  /**
   * @deprecated Renamed `serializers` (an "adapter" is a backend adapter); removed in the next
   * release. Giving both is an `MvxConfigError`.
   */
  adapters?: Iterable<readonly [LogSerializerClass, LogValueSerializer]>;
  /** Picks a serializer for objects no registered class matched. */
  resolver?: LogSerializerResolver;
}

/** Defaults of the numeric limits. */
export const PAYLOAD_DEFAULTS = Object.freeze({
  verbosity: LogVerbosity.NORMAL as LogVerbosityLevel,
  maxStringLength: 1024,
  maxItems: 100,
  maxKeys: 100,
  maxDepth: 10,
  maxErrorCauses: 5,
  maxNodes: 10_000,
  maxStackLength: 16_384,
  maxBytes: 262_144,
  redactedValue: '[REDACTED]',
});

/** The effective, validated settings one normalisation call reads (immutable; replaced on change). */
export interface PayloadSettings {
  readonly verbosity: LogVerbosityLevel;
  readonly maxStringLength: number;
  readonly maxItems: number;
  readonly maxKeys: number;
  readonly maxDepth: number;
  readonly maxErrorCauses: number;
  readonly maxNodes: number;
  readonly maxStackLength: number;
  readonly maxBytes: number;
  readonly redactor: KeyRedactor;
  /**
   * The fixed fields of the error shape whose key is sensitive (resolved once from `redactor`):
   * their values are redacted like any field. `stack` also when `name` or `message` is (its first
   * line repeats both).
   */
  readonly redactErrorFields: Readonly<Record<'name' | 'message' | 'code' | 'stack' | 'cause' | 'errors', boolean>>;
  readonly redactedValue: string;
  /** Serializers keyed by the class's `prototype`. */
  readonly serializers: ReadonlyMap<object, LogValueSerializer>;
  readonly resolver: LogSerializerResolver | undefined;
}

const KNOWN = new Set<string>([
  'verbosity',
  'maxStringLength',
  'maxItems',
  'maxKeys',
  'maxDepth',
  'maxErrorCauses',
  'maxNodes',
  'maxStackLength',
  'maxBytes',
  'redact',
  'redactedValue',
  'serializers',
  'adapters',
  'resolver',
]);

const LIMITS: Record<string, readonly [number, number]> = {
  maxStringLength: [1, 2 ** 28],
  maxItems: [1, 1e7],
  maxKeys: [1, 1e7],
  maxDepth: [1, 1000],
  maxErrorCauses: [0, 100],
  maxNodes: [1, 1e8],
  maxStackLength: [1, 2 ** 28],
  maxBytes: [256, 2 ** 30],
};

/** Validates a verbosity; throws `MvxConfigError` naming `option`. */
export function checkVerbosity(value: unknown, option = 'verbosity'): LogVerbosityLevel {
  if (value === 'MINIMAL' || value === 'NORMAL' || value === 'MAXIMUM') return value;
  throw new MvxConfigError(option, `must be 'MINIMAL', 'NORMAL' or 'MAXIMUM', got ${describe(value)}`);
}

/** Validates one numeric limit; throws `MvxConfigError` naming it. */
export function checkLimit(option: keyof typeof PAYLOAD_DEFAULTS & string, value: unknown): number {
  const [min, max] = LIMITS[option] ?? [1, 1e7];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MvxConfigError(option, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Validates a resolver; throws `MvxConfigError`. */
export function checkResolver(value: unknown, option = 'resolver'): LogSerializerResolver | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new MvxConfigError(option, `must be a function, got ${describe(value)}`);
  return value as LogSerializerResolver;
}

/** Validates a serializer registration; returns the prototype key. */
export function checkSerializer(cls: unknown, serializer: unknown, option: string): object {
  if (typeof cls !== 'function' || typeof cls.prototype !== 'object' || cls.prototype === null) {
    throw new MvxConfigError(`${option}[0]`, `must be a class (a function with a prototype), got ${describe(cls)}`);
  }
  if (typeof serializer !== 'function') {
    throw new MvxConfigError(`${option}[1]`, `must be a function (value, verbosity) => unknown, got ${describe(serializer)}`);
  }
  return cls.prototype as object;
}

/** The `serializers` option (or its deprecated name `adapters`, named in errors as given). */
function buildSerializers(o: LogPayloadProcessorOptions): Map<object, LogValueSerializer> {
  if (o.serializers !== undefined && o.adapters !== undefined) {
    throw new MvxConfigError('adapters', "is the deprecated name of 'serializers': give one of them, not both");
  }
  const serializers = new Map<object, LogValueSerializer>();
  const option = o.serializers !== undefined ? 'serializers' : 'adapters';
  const list = o.serializers ?? o.adapters;
  if (list === undefined) return serializers;
  if (list === null || typeof (list as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new MvxConfigError(option, `must be a Map or an iterable of [class, serializer] pairs, got ${describe(list)}`);
  }
  guardConfig(option, () => {
    let i = 0;
    for (const pair of list) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new MvxConfigError(`${option}[${i}]`, 'must be a [class, serializer] pair');
      }
      serializers.set(checkSerializer(pair[0], pair[1], `${option}[${i}]`), pair[1] as LogValueSerializer);
      i++;
    }
  });
  return serializers;
}

/** Validates the options and builds the effective settings. Throws `MvxConfigError`. */
export function buildSettings(options: LogPayloadProcessorOptions | undefined): PayloadSettings {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') {
    throw new MvxConfigError('options', `must be an object, got ${describe(options)}`);
  }
  // Every option read once: a getter or Proxy trap that throws is an MvxConfigError naming it.
  const o = readOptions(options, 'options', KNOWN, (key) => {
    throw new MvxConfigError(key, `is not an option of LogPayloadProcessor (known: ${[...KNOWN].join(', ')})`);
  }) as LogPayloadProcessorOptions;
  const limit = (name: keyof typeof LIMITS & keyof typeof PAYLOAD_DEFAULTS): number =>
    o[name] === undefined ? (PAYLOAD_DEFAULTS[name] as number) : checkLimit(name, o[name]);
  const serializers = buildSerializers(o);
  if (o.redactedValue !== undefined && typeof o.redactedValue !== 'string') {
    throw new MvxConfigError('redactedValue', `must be a string, got ${describe(o.redactedValue)}`);
  }
  const redactor = guardConfig('redact', () => buildRedactor(o.redact));
  return {
    verbosity: o.verbosity === undefined ? PAYLOAD_DEFAULTS.verbosity : checkVerbosity(o.verbosity),
    maxStringLength: limit('maxStringLength'),
    maxItems: limit('maxItems'),
    maxKeys: limit('maxKeys'),
    maxDepth: limit('maxDepth'),
    maxErrorCauses: limit('maxErrorCauses'),
    maxNodes: limit('maxNodes'),
    maxStackLength: limit('maxStackLength'),
    maxBytes: limit('maxBytes'),
    redactor,
    redactErrorFields: errorFieldRedaction(redactor),
    redactedValue: o.redactedValue ?? PAYLOAD_DEFAULTS.redactedValue,
    serializers,
    resolver: checkResolver(o.resolver),
  };
}

function errorFieldRedaction(r: KeyRedactor): PayloadSettings['redactErrorFields'] {
  const name = r.isSensitive('name');
  const message = r.isSensitive('message');
  return Object.freeze({
    name,
    message,
    code: r.isSensitive('code'),
    stack: name || message || r.isSensitive('stack'),
    cause: r.isSensitive('cause'),
    errors: r.isSensitive('errors'),
  });
}

function buildRedactor(redact: RedactOptions | undefined): KeyRedactor {
  if (redact === undefined) return new KeyRedactor(DEFAULT_REDACT_KEYS);
  if (redact === null || typeof redact !== 'object') {
    throw new MvxConfigError('redact', `must be an object { keys?, mode? }, got ${describe(redact)}`);
  }
  for (const key of Object.keys(redact)) {
    if (key !== 'keys' && key !== 'mode') throw new MvxConfigError(`redact.${key}`, "is not an option (known: keys, mode)");
  }
  const mode = redact.mode ?? 'extend';
  if (mode !== 'extend' && mode !== 'replace') {
    throw new MvxConfigError('redact.mode', `must be 'extend' or 'replace', got ${describe(mode)}`);
  }
  const keys = redact.keys ?? [];
  if (!Array.isArray(keys)) throw new MvxConfigError('redact.keys', `must be an array of strings and RegExps, got ${describe(keys)}`);
  keys.forEach((k: unknown, i) => {
    if (!(typeof k === 'string' && /[a-z0-9]/i.test(k)) && !(k instanceof RegExp)) {
      throw new MvxConfigError(`redact.keys[${i}]`, `must be a string with a letter or digit, or a RegExp, got ${describe(k)}`);
    }
  });
  return new KeyRedactor(mode === 'extend' ? [...DEFAULT_REDACT_KEYS, ...keys] : keys);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** `Array.isArray`, `false` for a revoked Proxy (on which it throws). */
function isArray(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Options and helpers shared by the ready-made metrics: name, description, unit, accepted event
 * types, attributes taken from the event, a filter and the series limit.
 */
import { MvxConfigError } from '../../errors.ts';
import { reportDiagnostic } from '../../diagnostics.ts';
import type { MetricAttributes, MetricAttributeValue, MetricEvent } from '../types.ts';
import type { SeriesStore } from '../series/series-store.ts';

/** How a ready-made metric reads attributes from an event. */
export type AttributesOption<E> =
  /** Keys read from the event (`event[key]`); `undefined`/`null` values are left out. */
  | readonly string[]
  /** A function returning the attributes (flat primitives). */
  | ((event: E) => MetricAttributes);

/** Options every ready-made metric takes. */
export interface BaseMetricOptions<E extends MetricEvent> {
  /** Unique name within a recorder, dotted lower case by convention: `http.server.requests`. */
  name: string;
  description?: string;
  /** UCUM unit: `s`, `ms`, `By`, `1` (OTel semantic conventions use `s` and `By`). */
  unit?: string;
  /** Event type(s) the metric accepts, or `'*'` for every event. */
  eventTypes: string | readonly string[] | '*';
  /** Attributes of the series an event updates. @default none (one series) */
  attributes?: AttributesOption<E>;
  /** Returns false for events to ignore (after the type check). */
  filter?: (event: E) => boolean;
  /** Series limit, overflow series included (OpenTelemetry's cardinality limit). @default 2000 */
  seriesLimit?: number;
  /**
   * Bound on a string attribute value, in UTF-16 code units (1 to 2^20): a longer value is cut and
   * ends with `…[+N chars]`, as OpenTelemetry's `attributeValueLengthLimit` does for span and log
   * attributes, so that the series limit also bounds memory. @default 1024
   */
  maxAttributeValueLength?: number;
}

/** Validated common options, with the attribute reader compiled. */
export interface CompiledBase<E extends MetricEvent> {
  readonly name: string;
  readonly description: string | undefined;
  readonly unit: string | undefined;
  readonly eventTypes: readonly string[] | '*';
  /** Whether `type` is accepted (constant-time). */
  readonly accepts: (type: string) => boolean;
  readonly filter: ((event: E) => boolean) | undefined;
  readonly seriesLimit: number | undefined;
  readonly maxAttributeValueLength: number | undefined;
  /**
   * The state of the series an event updates, in `store` (created on first use, or the overflow
   * series). Allocation-free for key lists once the series exists.
   */
  readonly seriesOf: <S>(store: SeriesStore<S>, event: E) => S;
}

const NO_ATTRIBUTES = Object.freeze({}) as MetricAttributes;
type AttributeReader<E extends MetricEvent> = Pick<CompiledBase<E>, 'seriesOf'>;
const NONE: AttributeReader<any> = { seriesOf: (store) => store.getByKey('', NO_ATTRIBUTES) };

/** Validates common options; throws MvxConfigError naming the option. */
export function compileBase<E extends MetricEvent>(options: BaseMetricOptions<E>, component: string): CompiledBase<E> {
  if (options === null || typeof options !== 'object') throw new MvxConfigError('options', `${component} needs an options object`);
  const { name } = options;
  if (typeof name !== 'string' || name.trim() === '') throw new MvxConfigError('name', 'must be a non-empty string');
  if (options.description !== undefined && typeof options.description !== 'string') throw new MvxConfigError('description', 'must be a string');
  if (options.unit !== undefined && typeof options.unit !== 'string') throw new MvxConfigError('unit', "must be a UCUM unit string such as 's', 'ms', 'By' or '1'");
  if (options.filter !== undefined && typeof options.filter !== 'function') throw new MvxConfigError('filter', 'must be a function');
  const eventTypes = compileTypes(options.eventTypes);
  let accepts: (type: string) => boolean;
  if (eventTypes === '*') accepts = () => true;
  else if (eventTypes.length === 1) {
    const only = eventTypes[0];
    accepts = (t) => t === only;
  } else {
    const set = new Set(eventTypes);
    accepts = (t) => set.has(t);
  }
  return {
    name,
    description: options.description,
    unit: options.unit,
    eventTypes,
    accepts,
    filter: options.filter,
    seriesLimit: options.seriesLimit,
    maxAttributeValueLength: options.maxAttributeValueLength,
    ...compileAttributes<E>(options.attributes, name),
  };
}

function compileTypes(value: unknown): readonly string[] | '*' {
  if (value === '*') return '*';
  if (typeof value === 'string') {
    if (value === '') throw new MvxConfigError('eventTypes', "must be a non-empty event type, a list of them, or '*'");
    return Object.freeze([value]);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new MvxConfigError('eventTypes', "must be a non-empty event type, a non-empty list of them, or '*'");
  }
  value.forEach((t, i) => {
    if (typeof t !== 'string' || t === '') throw new MvxConfigError(`eventTypes[${i}]`, 'must be a non-empty string');
  });
  if (value.includes('*')) return '*';
  return Object.freeze([...new Set(value as string[])]);
}

/** Converts one attribute value read from an event; `undefined` = leave the attribute out. */
export function toAttributeValue(value: unknown): MetricAttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    default:
      return undefined;
  }
}

function compileAttributes<E extends MetricEvent>(option: AttributesOption<E> | undefined, metric: string): AttributeReader<E> {
  if (option === undefined) return NONE;
  if (typeof option === 'function') {
    return {
      seriesOf: (store, event) => {
        const attrs = option(event);
        return store.get(attrs !== null && typeof attrs === 'object' ? attrs : NO_ATTRIBUTES);
      },
    };
  }
  if (!Array.isArray(option)) throw new MvxConfigError('attributes', 'must be a list of event keys or a function returning attributes');
  option.forEach((k, i) => {
    if (typeof k !== 'string' || k === '') throw new MvxConfigError(`attributes[${i}]`, 'must be a non-empty string');
  });
  const keys = Object.freeze([...new Set(option as string[])].sort());
  if (keys.length === 0) return NONE;
  // Hot path: one reusable values array indexing the store's nested maps; no string key, and the
  // attribute object is built only when a new series is created.
  const values: (MetricAttributeValue | undefined)[] = new Array(keys.length);
  const build = (): MetricAttributes => {
    const out: Record<string, MetricAttributeValue> = {};
    for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) out[keys[i] as string] = values[i] as MetricAttributeValue;
    return out;
  };
  return {
    seriesOf: (store, event) => {
      const rec = event as unknown as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) {
        const raw = rec[keys[i] as string];
        let v: MetricAttributeValue | undefined;
        if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') v = raw;
        else {
          v = toAttributeValue(raw);
          if (v === undefined && raw !== undefined && raw !== null) {
            reportDiagnostic({
              component: 'Metric',
              code: 'metric.attribute_invalid',
              message: `metric '${metric}': attribute '${keys[i]}' is not a string, number or boolean; left out`,
            });
          }
        }
        values[i] = v;
      }
      return store.getByValues(values, build);
    },
  };
}

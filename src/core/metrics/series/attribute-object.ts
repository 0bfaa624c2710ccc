/**
 * The frozen attribute object a series keeps, made by a constructor per key list so that it
 * takes exactly its size: V8 gives an object built from `{}` or `Object.fromEntries` room for
 * four properties, while instances of one constructor shrink to the properties they get once a
 * few have been made ("slack tracking"). For two attributes that is 40 bytes instead of 56, per
 * series (issue 16, memory per series: `bench/scenarios/prometheus-scale.bench.ts`).
 *
 * The objects stay plain: their prototype is `Object.prototype`, and their own enumerable
 * properties are the attributes, in the given order.
 */
import type { MetricAttributes, MetricAttributeValue } from '../types.ts';

type Shape = new (values: readonly MetricAttributeValue[]) => MetricAttributes;

// One constructor per key list; bounded, past the bound objects are built as before.
const SHAPES = new Map<string, Shape>();
const MAX_SHAPES = 1024;
const MAX_SHAPE_KEY_CHARS = 1024;

function makeShape(keys: readonly string[]): Shape {
  function Attributes(this: Record<string, MetricAttributeValue>, values: readonly MetricAttributeValue[]): void {
    for (let i = 0; i < keys.length; i++) this[keys[i]!] = values[i]!;
  }
  // Instances are plain objects: Object.prototype, no `constructor` of their own.
  Attributes.prototype = Object.prototype;
  return Attributes as unknown as Shape;
}

/** A frozen object with `entries` as its own properties, in order (keys distinct). */
export function frozenAttributes(entries: readonly (readonly [string, MetricAttributeValue])[]): MetricAttributes {
  let key = '';
  for (const [k] of entries) {
    // An assignment to `__proto__` would set the prototype, and one to a name Object.prototype has
    // (`toString`) throws where intrinsics are frozen (SES): such objects are built from entries.
    if (k in Object.prototype) return Object.freeze(Object.fromEntries(entries));
    key += k.length + ':' + k;
  }
  let shape = SHAPES.get(key);
  if (shape === undefined) {
    if (SHAPES.size >= MAX_SHAPES || key.length > MAX_SHAPE_KEY_CHARS) return Object.freeze(Object.fromEntries(entries));
    shape = makeShape(entries.map(([k]) => k));
    SHAPES.set(key, shape);
  }
  return Object.freeze(new shape(entries.map(([, v]) => v)));
}

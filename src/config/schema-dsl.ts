/**
 * The one description of the configuration document from which both the validator and the
 * published JSON Schema are derived, so the two cannot drift: a node per JSON shape (closed objects,
 * free-keyed records, discriminated unions on a `type` tag, arrays, strings, numbers, booleans).
 *
 * Validation errors name the path in JavaScript notation: `sinks.audit.maxBytes`,
 * `contexts["orders.api"].sink`, `metrics.recorders.http.metrics[2].buckets[0]`.
 *
 * @module
 */
import { ConfigDocumentError } from './errors.ts';

/** A JSON shape. Every object is closed: keys it does not list are refused. */
export type SchemaNode =
  | { readonly kind: 'string'; readonly enum?: readonly string[]; readonly pattern?: string; readonly minLength?: number; readonly description?: string }
  | { readonly kind: 'number'; readonly integer?: boolean; readonly minimum?: number; readonly exclusiveMinimum?: number; readonly maximum?: number; readonly description?: string }
  | { readonly kind: 'boolean'; readonly description?: string }
  | { readonly kind: 'array'; readonly items: SchemaNode; readonly minItems?: number; readonly description?: string }
  | { readonly kind: 'object'; readonly properties: Readonly<Record<string, SchemaNode>>; readonly required?: readonly string[]; readonly description?: string }
  | { readonly kind: 'record'; readonly values: SchemaNode; readonly keyPattern?: string; readonly description?: string }
  | { readonly kind: 'tagged'; readonly tag: string; readonly variants: Readonly<Record<string, SchemaNode & { kind: 'object' }>>; readonly description?: string }
  | { readonly kind: 'anyOf'; readonly options: readonly SchemaNode[]; readonly description?: string };

/** `contexts` + `orders.api` → `contexts["orders.api"]`; `sinks` + `audit` → `sinks.audit`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fail(path: string, message: string): never {
  throw new ConfigDocumentError(path === '' ? '(document)' : path, message);
}

/** A short description of what a node accepts, for `anyOf` errors. */
function expected(node: SchemaNode): string {
  switch (node.kind) {
    case 'string':
      return node.enum ? `one of ${node.enum.map((e) => JSON.stringify(e)).join(', ')}` : 'a string';
    case 'number':
      return node.integer ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'anyOf':
      return node.options.map(expected).join(' or ');
    default:
      return 'an object';
  }
}

/**
 * Checks `value` against `node`; throws {@link ConfigDocumentError} naming the first offending path.
 * Returns nothing: the document is used as given once it passes.
 */
export function validateNode(node: SchemaNode, value: unknown, path: string): void {
  switch (node.kind) {
    case 'string': {
      if (typeof value !== 'string') fail(path, `must be ${expected(node)}, got ${describe(value)}`);
      if (node.enum !== undefined && !node.enum.includes(value)) fail(path, `must be ${expected(node)}, got ${describe(value)}`);
      if (node.minLength !== undefined && value.length < node.minLength) fail(path, 'must not be empty');
      if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) fail(path, `${describe(value)} does not match ${node.pattern}`);
      return;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `must be ${expected(node)}, got ${describe(value)}`);
      if (node.integer === true && !Number.isInteger(value)) fail(path, `must be an integer, got ${value}`);
      if (node.minimum !== undefined && value < node.minimum) fail(path, `must be at least ${node.minimum}, got ${value}`);
      if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) fail(path, `must be greater than ${node.exclusiveMinimum}, got ${value}`);
      if (node.maximum !== undefined && value > node.maximum) fail(path, `must be at most ${node.maximum}, got ${value}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `must be true or false, got ${describe(value)}`);
      return;
    case 'array': {
      if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
      if (node.minItems !== undefined && value.length < node.minItems) fail(path, `must have at least ${node.minItems} item(s)`);
      value.forEach((item, i) => validateNode(node.items, item, childPath(path, i)));
      return;
    }
    case 'object': {
      if (!isPlainObject(value)) fail(path, `must be an object, got ${describe(value)}`);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(node.properties, key)) {
          fail(childPath(path, key), `unknown key; valid keys here are ${Object.keys(node.properties).join(', ')}`);
        }
      }
      for (const key of node.required ?? []) if (value[key] === undefined) fail(childPath(path, key), 'is required');
      for (const [key, child] of Object.entries(node.properties)) if (value[key] !== undefined) validateNode(child, value[key], childPath(path, key));
      return;
    }
    case 'record': {
      if (!isPlainObject(value)) fail(path, `must be an object, got ${describe(value)}`);
      for (const key of Object.keys(value)) {
        if (node.keyPattern !== undefined && !new RegExp(node.keyPattern).test(key)) fail(childPath(path, key), `${JSON.stringify(key)} is not a valid name (${node.keyPattern})`);
        validateNode(node.values, value[key], childPath(path, key));
      }
      return;
    }
    case 'tagged': {
      if (!isPlainObject(value)) fail(path, `must be an object, got ${describe(value)}`);
      const tag = value[node.tag];
      const tags = Object.keys(node.variants);
      if (typeof tag !== 'string' || !Object.hasOwn(node.variants, tag)) {
        fail(childPath(path, node.tag), `must be one of ${tags.map((t) => JSON.stringify(t)).join(', ')}, got ${describe(tag)}`);
      }
      validateNode(node.variants[tag]!, value, path);
      return;
    }
    case 'anyOf': {
      for (const option of node.options) {
        try {
          validateNode(option, value, path);
          return;
        } catch (error) {
          if (!(error instanceof ConfigDocumentError)) throw error;
        }
      }
      fail(path, `must be ${expected(node)}, got ${describe(value)}`);
    }
  }
}

/** The JSON Schema (draft-07) of a node. */
export function toJsonSchema(node: SchemaNode): Record<string, unknown> {
  const doc = node.description === undefined ? {} : { description: node.description };
  switch (node.kind) {
    case 'string':
      return {
        ...doc,
        type: 'string',
        ...(node.enum ? { enum: [...node.enum] } : {}),
        ...(node.pattern ? { pattern: node.pattern } : {}),
        ...(node.minLength !== undefined ? { minLength: node.minLength } : {}),
      };
    case 'number':
      return {
        ...doc,
        type: node.integer === true ? 'integer' : 'number',
        ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
        ...(node.exclusiveMinimum !== undefined ? { exclusiveMinimum: node.exclusiveMinimum } : {}),
        ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
      };
    case 'boolean':
      return { ...doc, type: 'boolean' };
    case 'array':
      return { ...doc, type: 'array', items: toJsonSchema(node.items), ...(node.minItems !== undefined ? { minItems: node.minItems } : {}) };
    case 'object':
      return {
        ...doc,
        type: 'object',
        properties: Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toJsonSchema(v)])),
        ...(node.required && node.required.length > 0 ? { required: [...node.required] } : {}),
        additionalProperties: false,
      };
    case 'record':
      return {
        ...doc,
        type: 'object',
        ...(node.keyPattern ? { propertyNames: { pattern: node.keyPattern } } : {}),
        additionalProperties: toJsonSchema(node.values),
      };
    case 'tagged':
      // if/then per tag (not oneOf), so an editor reports the errors of the variant the tag names.
      return {
        ...doc,
        type: 'object',
        required: [node.tag],
        properties: { [node.tag]: { enum: Object.keys(node.variants) } },
        allOf: Object.entries(node.variants).map(([tag, variant]) => ({
          if: { properties: { [node.tag]: { const: tag } } },
          then: toJsonSchema(variant),
        })),
      };
    case 'anyOf':
      return { ...doc, anyOf: node.options.map(toJsonSchema) };
  }
}

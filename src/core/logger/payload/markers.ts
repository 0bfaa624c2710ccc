/**
 * The markers the payload processor writes where it cut, replaced or could not read something.
 * Every marker is a plain string, so the output stays JSON-safe and readable in any sink.
 *
 * | marker | meaning |
 * | --- | --- |
 * | `'abc…[+1234 chars]'` | a string cut to `maxStringLength` UTF-16 code units; 1234 more were dropped |
 * | `'[… 12 more items]'` | last element of an array, Set, Map (entries form) or typed-array `values`: 12 more were dropped |
 * | `__more__: '12 more keys'` | extra key of an object or a Map (object form): 12 more keys were dropped |
 * | `'[Object: depth limit]'` | a container at `maxDepth` (the word is the type: `Array`, `Map`, a class name) |
 * | `'[Circular]'` | a reference to a value that is being normalised above this one |
 * | `'[Repeated: TypeError]'` | an error already shown earlier in the same output (its first occurrence holds it) |
 * | `'[Float64Array: output limit]'` | a binary value or typed array met when `maxNodes` could no longer pay for its fixed fields |
 * | `'[Unreadable: TypeError]'` | reading the value threw (a getter, a Proxy trap); the thrown error's name |
 * | `'[… cause chain limit]'` | an error `cause` beyond `maxErrorCauses` |
 * | `'[REDACTED]'` | the value under a sensitive key (configurable with `redactedValue`) |
 *
 * @module
 */

/** Key added to an object (or Map in object form) whose keys were cut: `'<N> more keys'`. */
export const MORE_KEYS_KEY = '__more__';
/** A reference to a value that is being normalised above (a cycle). */
export const CIRCULAR_MARKER = '[Circular]';
/** An error cause beyond `maxErrorCauses`. */
export const CAUSE_LIMIT_MARKER = '[… cause chain limit]';
/** An invalid `Date`. */
export const INVALID_DATE_MARKER = '[Invalid Date]';

/** `'[Repeated: Type]'`: an error already shown in this output. */
export function repeatedMarker(typeName: string): string {
  return `[Repeated: ${typeName}]`;
}

/** `'[Type: output limit]'`: a fixed shape (binary value, typed array) the node budget could not pay for. */
export function limitMarker(typeName: string): string {
  return `[${typeName}: output limit]`;
}

/** `'[Type: provider chain limit]'`: a value whose provider, serializer or `toJSON` the hop limit left unused. */
export function chainLimitMarker(typeName: string): string {
  return `[${typeName}: provider chain limit]`;
}

/** `'[… N more items]'`. */
export function moreItems(n: number): string {
  return `[… ${n} more items]`;
}

/** `'N more keys'`, the value of {@link MORE_KEYS_KEY}. */
export function moreKeys(n: number): string {
  return `${n} more keys`;
}

/** `'[Type: depth limit]'`. */
export function depthMarker(typeName: string): string {
  return `[${typeName}: depth limit]`;
}

/** `'[Unreadable: ErrorName]'` for a read that threw `err`. */
export function unreadable(err: unknown): string {
  return `[Unreadable: ${thrownName(err)}]`;
}

/**
 * Cuts a string to at most `max` UTF-16 code units (one fewer rather than split a surrogate pair)
 * and appends `…[+N chars]`.
 */
export function truncateString(s: string, max: number): string {
  let cut = max;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…[+${s.length - cut} chars]`;
}

/** The name of a thrown value, never throwing (a hostile error may throw on `.name`). */
export function thrownName(err: unknown): string {
  try {
    if (err instanceof Error) {
      const name = err.name;
      return typeof name === 'string' && name.length > 0 && name.length <= 64 ? name : 'Error';
    }
    return err === null ? 'null' : typeof err;
  } catch {
    return 'Error';
  }
}

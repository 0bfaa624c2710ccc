/**
 * Binary values: Buffers, typed arrays, DataView, ArrayBuffer and SharedArrayBuffer.
 *
 * - Bytes (`Buffer`, `Uint8Array`, `Uint8ClampedArray`, `DataView`, `ArrayBuffer`,
 *   `SharedArrayBuffer`): `{ type, byteLength, base64 }`, where `base64` encodes at most the first
 *   `floor(maxStringLength / 4) * 3` bytes (so it fits `maxStringLength`) and, when cut, ends with
 *   `…[+N bytes]`.
 * - Other typed arrays (`Int16Array`, `Float64Array`, `BigInt64Array`, ...): `{ type, length,
 *   values }`, `values` being the first `maxItems` elements (numbers; NaN/±Infinity and BigInt as
 *   strings) followed by `'[… N more items]'` when cut.
 */
import type { JsonObject } from '../json.ts';

const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)?.get as ((this: unknown) => string | undefined) | undefined;

/** The element type of a typed array (`'Float64Array'`), or `undefined` for a DataView. */
export function typedArrayName(view: ArrayBufferView): string | undefined {
  return typedArrayTag?.call(view);
}

/** Whether a typed array holds bytes (shown as base64). */
export function isByteArrayName(name: string): boolean {
  return name === 'Uint8Array' || name === 'Uint8ClampedArray';
}

/** `{ type, byteLength, base64 }` for `byteLength` bytes at `byteOffset` of `buffer`. */
export function bytesForLog(
  type: string,
  buffer: ArrayBufferLike,
  byteOffset: number,
  byteLength: number,
  maxStringLength: number,
): JsonObject {
  const take = Math.min(byteLength, Math.floor(maxStringLength / 4) * 3);
  let base64 = take > 0 ? Buffer.from(buffer, byteOffset, take).toString('base64') : '';
  if (take < byteLength) base64 += `…[+${byteLength - take} bytes]`;
  return { type, byteLength, base64 };
}

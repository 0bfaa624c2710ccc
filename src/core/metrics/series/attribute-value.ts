/**
 * The length bound on string attribute values of the ready-made metrics and {@link SeriesStore}.
 *
 * The series limit bounds how many series a metric keeps, not how big each is: 2000 series whose
 * values are 16 KB strings kept 64 MB (and adapters copy label text again). Values longer than
 * the bound are cut and marked, as OpenTelemetry's `attributeValueLengthLimit` does for span and
 * log attributes, with the payload processor's marker: `'abc…[+1234 chars]'`.
 */
import { MvxConfigError } from '../../errors.ts';

/** Default bound on a string attribute value, in UTF-16 code units (the payload processor's `maxStringLength`). */
export const DEFAULT_MAX_ATTRIBUTE_VALUE_LENGTH = 1024;

/** Validates the `maxAttributeValueLength` option (an integer 1 to 2^20) and applies its default. */
export function checkMaxAttributeValueLength(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_ATTRIBUTE_VALUE_LENGTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 20) {
    throw new MvxConfigError('maxAttributeValueLength', `must be an integer from 1 to 1048576 (UTF-16 code units), got ${String(value)}`);
  }
  return value;
}

/**
 * `s` cut to `max` UTF-16 code units (one fewer rather than split a surrogate pair) followed by
 * `…[+N chars]`, N being what was cut. Call only when `s.length > max`.
 */
export function cutAttributeValue(s: string, max: number): string {
  let cut = max;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  // join, not `+` or a template: V8 keeps a slice as a view of its parent and a concatenation as a
  // pair of pointers, so the 1 KB result would keep the whole 16 KB value alive; join copies.
  return [s.slice(0, cut), `…[+${s.length - cut} chars]`].join('');
}

/**
 * Namespace validation shared by `LogContext` and the facade. Internal.
 *
 * A namespace is `''` (the root) or dot-separated segments; a segment starts with a letter, digit
 * or `_` and continues with letters, digits, `_` or `-` (e.g. `app`, `app.db-pool`, `v2.http`).
 */
import { MvxConfigError } from '../../errors.ts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Whether `segment` is a valid single namespace segment. */
export function isValidNamespaceSegment(segment: string): boolean {
  return SEGMENT.test(segment);
}

/**
 * Validates and trims a namespace. `''` is allowed only when `allowRoot`.
 * @throws MvxConfigError naming `option` when it is not a string or malformed.
 */
export function validateNamespace(value: unknown, option: string, allowRoot: boolean): string {
  if (typeof value !== 'string') {
    throw new MvxConfigError(option, `must be a string of dot-separated segments, got ${typeof value}`);
  }
  const ns = value.trim();
  if (ns === '') {
    if (allowRoot) return '';
    throw new MvxConfigError(option, 'must not be empty');
  }
  for (const segment of ns.split('.')) {
    if (!SEGMENT.test(segment)) {
      throw new MvxConfigError(
        option,
        `'${ns}' is malformed: each dot-separated segment must match ${SEGMENT.source} (letters, digits, '_' and '-', no empty segments)`,
      );
    }
  }
  return ns;
}

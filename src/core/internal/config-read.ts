/**
 * Reading untrusted configuration (a parsed file, an object built by a library, a Proxy): one helper
 * so every constructor and factory turns a throwing getter or Proxy trap into the `MvxConfigError`
 * naming the option, as it does for any invalid value. Internal.
 */
import { MvxConfigError } from '../errors.ts';

/**
 * Runs `read` (a property read, a key listing, a type check, a nested validation): a non-config
 * error becomes an `MvxConfigError` naming `path` with the error as `cause`; an `MvxConfigError`
 * (from a nested validation) passes through unchanged.
 */
export function guardConfig<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof MvxConfigError) throw error;
    let name = 'Error';
    try {
      name = error instanceof Error ? error.name : typeof error;
    } catch {
      // a hostile error: keep the generic name
    }
    throw new MvxConfigError(path, `could not be read: a getter or Proxy trap threw (${name})`, { cause: error });
  }
}

/**
 * A plain copy of an options object's own enumerable keys, each read once under {@link guardConfig}
 * (listing the keys is guarded as `path`, each value as its key); `known` rejects unknown keys
 * through `unknown(key)` before their value is read.
 */
export function readOptions(options: object, path: string, known: ReadonlySet<string>, unknown: (key: string) => never): Record<string, unknown> {
  const keys = guardConfig(path, () => Object.keys(options));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (!known.has(key)) unknown(key);
    out[key] = guardConfig(key, () => (options as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * Key-based redaction: which keys are sensitive. A key is sensitive when, lower-cased and with every
 * character other than `a-z` and `0-9` removed, it *contains* one of the string entries (also
 * normalised), or when one of the RegExp entries matches the key as written. So `'api_key'` covers
 * `apiKey`, `API-KEY`, `x-api-key` and `stripeApiKey`.
 */

/**
 * The built-in sensitive key fragments (matched as described in the module doc). Substring
 * matching errs on the side of hiding: `token` also hides `max_tokens`; replace the defaults
 * (`redact: { mode: 'replace', keys: [...] }`) when that is wrong for an application.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'api_key',
  'access_key',
  'private_key',
  'privkey',
  'authorization',
  'cookie',
  'credential',
  'session_id',
  'sessid',
  'session_key',
  'jwt',
  'bearer',
  'signature',
  'connection_string',
  'dsn',
  'cvv',
  'card_number',
]);

/** How sensitive keys are chosen. */
export interface RedactOptions {
  /**
   * Key fragments (strings, matched case-insensitively ignoring separators, as substrings) and
   * patterns (RegExp, tested against the key as written; `g`/`y` flags are ignored).
   * @default []
   */
  keys?: readonly (string | RegExp)[];
  /**
   * `extend` adds `keys` to {@link DEFAULT_REDACT_KEYS}; `replace` uses `keys` alone (`replace`
   * with no keys turns redaction off).
   * @default 'extend'
   */
  mode?: 'extend' | 'replace';
}

const CACHE_LIMIT = 4096;
const CACHEABLE_KEY_LENGTH = 256;

/** Normalises a key or an entry for substring matching: lower case, `a-z0-9` only. */
export function normalizeKeyForMatch(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Decides whether a key is sensitive, with a bounded cache (the same keys recur on every event):
 * at most 4096 keys of up to 256 characters are remembered; the cache is cleared when full.
 */
export class KeyRedactor {
  private readonly fragments: readonly string[];
  private readonly patterns: readonly RegExp[];
  private readonly cache = new Map<string, boolean>();
  /** True when no key can ever be sensitive (redaction off). */
  readonly off: boolean;

  constructor(entries: readonly (string | RegExp)[]) {
    const fragments: string[] = [];
    const patterns: RegExp[] = [];
    for (const e of entries) {
      if (typeof e === 'string') {
        const n = normalizeKeyForMatch(e);
        if (n.length > 0 && !fragments.includes(n)) fragments.push(n);
      } else {
        patterns.push(new RegExp(e.source, e.flags.replace(/[gy]/g, '')));
      }
    }
    this.fragments = fragments;
    this.patterns = patterns;
    this.off = fragments.length === 0 && patterns.length === 0;
  }

  /** Whether values under `key` are replaced. */
  isSensitive(key: string): boolean {
    if (this.off) return false;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const result = this.compute(key);
    if (key.length <= CACHEABLE_KEY_LENGTH) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, result);
    }
    return result;
  }

  private compute(key: string): boolean {
    const n = normalizeKeyForMatch(key);
    for (const f of this.fragments) if (n.includes(f)) return true;
    for (const p of this.patterns) if (p.test(key)) return true;
    return false;
  }
}

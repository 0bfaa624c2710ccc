/**
 * Key-based redaction: which keys are sensitive.
 *
 * A key is split into **words**: at separators (every character other than `A-Z`, `a-z`, `0-9`:
 * `_`, `-`, `.`, space, ...), at a case change (`accessToken` → `access token`, `APIKey` →
 * `api key`) and between letters and digits (`password2` → `password 2`); words are lower-cased.
 * A string entry is reduced to the concatenation of its words (`'api_key'`, `'apiKey'` and
 * `'apikey'` are the same entry, `apikey`). The key is sensitive when some run of consecutive
 * words, concatenated, equals an entry: so `api_key` covers `apiKey`, `API_KEY`, `x-api-key`,
 * `stripeApiKey` and `apikey`, and `token` covers `accessToken` and `GITHUB_TOKEN` but not
 * `max_tokens` or `tokenizer`. A RegExp entry is tested against the key as written (use one for
 * substring matching: `/secret/i`).
 */

/**
 * The built-in sensitive entries (matched as described in the module doc). Plurals are entries of
 * their own; `tokens` is deliberately absent (`max_tokens`, `prompt_tokens` are counts in LLM
 * APIs), while `access_tokens`, `refresh_tokens` and the like are present. `signature` is absent
 * too (`signature_valid` is ordinary data, and a webhook signature is not a secret), while the
 * signature of a presigned URL (`X-Amz-Signature`, `X-Goog-Signature`, Azure's `sig`) is present.
 * Add entries with `redact: { keys }`, remove some with `redact: { mode: 'replace', keys:
 * DEFAULT_REDACT_KEYS.filter(...) }`.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'secret',
  'secrets',
  'client_secret',
  'secret_key',
  'token',
  'access_token',
  'access_tokens',
  'refresh_token',
  'refresh_tokens',
  'id_token',
  'id_tokens',
  'auth_token',
  'auth_tokens',
  'api_token',
  'api_tokens',
  'api_key',
  'api_keys',
  'access_key',
  'access_keys',
  'private_key',
  'private_keys',
  'privkey',
  'signing_key',
  'encryption_key',
  'auth',
  'authorization',
  'cookie',
  'cookies',
  'set_cookie',
  'credential',
  'credentials',
  'session_id',
  'session_ids',
  'sessid',
  'session_key',
  'jwt',
  'bearer',
  'x_amz_signature',
  'x_goog_signature',
  'sig',
  'connection_string',
  'dsn',
  'cvv',
  'cvc',
  'card_number',
]);

/** How sensitive keys are chosen. */
export interface RedactOptions {
  /**
   * Entries: strings (matched against the key's words, see {@link DEFAULT_REDACT_KEYS}; `'ssn'`
   * covers `userSsn` and `SSN`, `'national id'` covers `nationalId`) and patterns (RegExp, tested
   * against the key as written; `g`/`y` flags are ignored).
   * @default []
   */
  keys?: readonly (string | RegExp)[];
  /**
   * `extend` adds `keys` to {@link DEFAULT_REDACT_KEYS}; `replace` uses `keys` alone (`replace`
   * with no keys turns key redaction off).
   * @default 'extend'
   */
  mode?: 'extend' | 'replace';
}

/** Most decisions remembered per redactor (the cache is cleared when full). */
const CACHE_LIMIT = 4096;
/** Longer keys are decided every time, never remembered (keeps the cache within 4096 × 256 characters). */
const CACHEABLE_KEY_LENGTH = 256;

/** Character classes of {@link keyWords}. */
const SEP = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

function charKind(c: number): number {
  if (c >= 97 && c <= 122) return LOWER;
  if (c >= 65 && c <= 90) return UPPER;
  if (c >= 48 && c <= 57) return DIGIT;
  return SEP;
}

/**
 * The lower-cased words of a key: split at separators (anything but `A-Za-z0-9`), at a lower-case
 * letter or digit followed by an upper-case one (`accessToken`), before the last capital of a
 * capital run followed by a lower-case letter (`APIKey` → `api`, `key`), and between letters and
 * digits (`oauth2Token` → `oauth`, `2`, `token`).
 */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let start = -1;
  let prev = SEP;
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const kind = charKind(key.charCodeAt(i));
    if (kind === SEP) {
      if (start >= 0) words.push(key.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (kind === UPPER ? prev !== UPPER : kind === DIGIT ? prev !== DIGIT : prev === DIGIT) {
      // aB, 1B | a1, A1 | 1a: a new word starts here.
      words.push(key.slice(start, i).toLowerCase());
      start = i;
    } else if (kind === LOWER && prev === UPPER && i - 1 > start) {
      // APIKey: the capital before this letter starts the next word.
      words.push(key.slice(start, i - 1).toLowerCase());
      start = i - 1;
    }
    prev = kind;
  }
  if (start >= 0) words.push(key.slice(start).toLowerCase());
  return words;
}

/** An entry as it is matched: the concatenation of its words (`'api_key'` → `'apikey'`). */
export function normalizeRedactEntry(entry: string): string {
  return keyWords(entry).join('');
}

/**
 * Decides whether a key is sensitive, with a bounded cache (the same keys recur on every event):
 * at most 4096 keys of up to 256 characters are remembered; the cache is cleared when full.
 */
export class KeyRedactor {
  /** Normalised string entries. */
  readonly #entries: ReadonlySet<string>;
  /** Length of the longest entry: runs of words longer than this are not compared. */
  readonly #longest: number;
  readonly #patterns: readonly RegExp[];
  readonly #cache = new Map<string, boolean>();
  /** True when no key can ever be sensitive (key redaction off). */
  readonly off: boolean;
  /** The entries as given (to rebuild the same redactor elsewhere, e.g. in a worker). */
  readonly sources: readonly (string | RegExp)[];

  constructor(entries: readonly (string | RegExp)[]) {
    this.sources = Object.freeze([...entries]);
    const set = new Set<string>();
    const patterns: RegExp[] = [];
    let longest = 0;
    for (const e of entries) {
      if (typeof e === 'string') {
        const n = normalizeRedactEntry(e);
        if (n.length > 0) set.add(n);
        if (n.length > longest) longest = n.length;
      } else {
        patterns.push(new RegExp(e.source, e.flags.replace(/[gy]/g, '')));
      }
    }
    this.#entries = set;
    this.#longest = longest;
    this.#patterns = patterns;
    this.off = set.size === 0 && patterns.length === 0;
  }

  /** Whether values under `key` are replaced. */
  isSensitive(key: string): boolean {
    if (this.off) return false;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const result = this.#compute(key);
    if (key.length <= CACHEABLE_KEY_LENGTH) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(key, result);
    }
    return result;
  }

  #compute(key: string): boolean {
    if (this.#entries.size > 0) {
      const words = keyWords(key);
      const entries = this.#entries;
      const longest = this.#longest;
      for (let i = 0; i < words.length; i++) {
        let run = '';
        for (let j = i; j < words.length; j++) {
          run += words[j];
          if (run.length > longest) break;
          if (entries.has(run)) return true;
        }
      }
    }
    for (const p of this.#patterns) if (p.test(key)) return true;
    return false;
  }
}

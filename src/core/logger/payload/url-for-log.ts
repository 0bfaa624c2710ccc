/**
 * URLs as log strings: the whole user-info part (`user:password@`) replaced, since a user name
 * alone is the credential in token URLs (`https://TOKEN@host`, `https://TOKEN@github.com/o/r.git`)
 * and Sentry-style DSNs; and the values of sensitive query parameters replaced (a token in a query
 * string is as secret as one in a header), parameters separated by `&` or `;`, and likewise
 * parameters carried by the fragment (`#access_token=...`, `#/route?id_token=...`).
 *
 * Applies to `URL` objects and to string values that are URLs: text starting with a scheme and
 * `://` (`https://…`, `postgres://…`, `myapp://…`), or a request path with a query (`/login?token=…`,
 * what `req.url` holds). Other text is not searched.
 */
import type { KeyRedactor } from './redaction.ts';

/** Longest scheme recognised at the start of a string (`postgresql+asyncpg` is 18). */
const MAX_SCHEME = 32;

/** `url.href` with the user-info and sensitive parameter values replaced by `redacted`. */
export function urlForLog(url: URL, redactor: KeyRedactor, redacted: string): string {
  const href = url.href;
  return redactUrlText(href, Math.max(urlTextStart(href), 0), redactor, redacted);
}

/**
 * Where the text of a URL string starts its authority (just after `scheme://`), `0` for a request
 * path (`/…` with a `?`), `-1` when the string is not taken for a URL. Cheap: at most
 * {@link MAX_SCHEME} characters are looked at, plus one `indexOf('?')` for a path.
 */
export function urlTextStart(s: string): number {
  const c0 = s.charCodeAt(0);
  if (c0 === 47 /* / */) return s.length > 2 && s.charCodeAt(1) !== 47 && s.includes('?') ? 0 : -1;
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90))) return -1;
  const n = Math.min(s.length, MAX_SCHEME + 1);
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 58 /* : */) return s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47 ? i + 3 : -1;
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986, 3.1)
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return -1;
  }
  return -1;
}

/**
 * `href` with its user-info (when `start > 0`: the authority begins at `start`) and the values of
 * sensitive query and fragment parameters replaced; the same string when nothing is. When the
 * authority runs to the end of the text (a string cut inside it), all of it after the scheme is
 * replaced, so a cut never shows part of a credential.
 */
export function redactUrlText(href: string, start: number, redactor: KeyRedactor, redacted: string): string {
  let out = href;
  let rest = start;
  if (start > 0) {
    let end = href.length;
    for (const c of ['/', '?', '#']) {
      const i = href.indexOf(c, start);
      if (i >= 0 && i < end) end = i;
    }
    const at = href.lastIndexOf('@', end - 1);
    if (at >= start) {
      out = `${href.slice(0, start)}${redacted}${href.slice(at)}`;
      rest = start + redacted.length;
    } else if (end === href.length && href.includes('…[+', start)) {
      // A string cut inside its authority: whatever was kept may be the start of a user name.
      return `${href.slice(0, start)}${redacted}${href.slice(href.lastIndexOf('…[+'))}`;
    }
  }
  if (redactor.off) return out;
  const hashAt = out.indexOf('#', rest);
  const queryAt = out.indexOf('?', rest);
  let query = '';
  let hash = '';
  let base = out;
  if (hashAt >= 0) {
    hash = out.slice(hashAt);
    base = out.slice(0, hashAt);
  }
  if (queryAt >= 0 && (hashAt < 0 || queryAt < hashAt)) {
    query = base.slice(queryAt);
    base = base.slice(0, queryAt);
  }
  let queryOut = query;
  if (query.length > 1) queryOut = `?${redactParams(query.slice(1), redactor, redacted)}`;
  // The fragment can carry parameters too: the OAuth implicit flow returns `#access_token=...`,
  // single-page apps route with `#/path?id_token=...`.
  let hashOut = hash;
  if (hash.length > 1) {
    const text = hash.slice(1);
    const q = text.indexOf('?');
    if (q >= 0) hashOut = `#${text.slice(0, q + 1)}${redactParams(text.slice(q + 1), redactor, redacted)}`;
    else if (text.includes('=')) hashOut = `#${redactParams(text, redactor, redacted)}`;
  }
  if (queryOut === query && hashOut === hash) return out;
  return `${base}${queryOut}${hashOut}`;
}

/** `a=1&token=x;b=2` with the values of sensitive keys replaced; the same string when none is. */
function redactParams(params: string, redactor: KeyRedactor, redacted: string): string {
  let out = '';
  let changed = false;
  let from = 0;
  const n = params.length;
  while (from <= n) {
    let to = from;
    while (to < n) {
      const c = params.charCodeAt(to);
      if (c === 38 /* & */ || c === 59 /* ; */) break;
      to++;
    }
    const part = params.slice(from, to);
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    if (rawKey.length > 0 && redactor.isSensitive(decode(rawKey))) {
      out += `${rawKey}=${redacted}`;
      changed = true;
    } else {
      out += part;
    }
    if (to < n) out += params[to];
    from = to + 1;
  }
  return changed ? out : params;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * A URL as a log string: its `href` with the password of the user-info part and the values of
 * sensitive query parameters replaced (a token in a query string is as secret as one in a header),
 * and likewise parameters carried by the fragment (`#access_token=...`, `#/route?id_token=...`).
 */
import type { KeyRedactor } from './redaction.ts';

/** `url.href` with credentials and sensitive query (and fragment) parameter values replaced by `redacted`. */
export function urlForLog(url: URL, redactor: KeyRedactor, redacted: string): string {
  let href = url.href;
  const password = url.password;
  if (password !== '') {
    const at = href.indexOf(`:${password}@`);
    if (at >= 0) href = `${href.slice(0, at + 1)}${redacted}${href.slice(at + 1 + password.length)}`;
  }
  if (redactor.off) return href;
  const hash = url.hash;
  const search = url.search;
  // The fragment is last in `href`. It can carry parameters too: the OAuth implicit flow returns
  // `#access_token=...`, single-page apps route with `#/path?id_token=...`.
  let hashOut = hash;
  if (hash.length > 1 && href.endsWith(hash)) {
    const text = hash.slice(1);
    const q = text.indexOf('?');
    if (q >= 0) hashOut = `#${text.slice(0, q + 1)}${redactParams(text.slice(q + 1), redactor, redacted)}`;
    else if (text.includes('=')) hashOut = `#${redactParams(text, redactor, redacted)}`;
  }
  let searchOut = search;
  const start = href.length - hash.length - search.length;
  const searchFound = search.length > 1 && start >= 0 && href.slice(start, start + search.length) === search;
  if (searchFound) searchOut = `?${redactParams(search.slice(1), redactor, redacted)}`;
  if (searchOut === search && hashOut === hash) return href;
  const end = href.length - hash.length - (searchFound ? search.length : 0);
  return `${href.slice(0, end)}${searchFound ? searchOut : ''}${hashOut}`;
}

/** `a=1&token=x` with the values of sensitive keys replaced; the same string when none is. */
function redactParams(params: string, redactor: KeyRedactor, redacted: string): string {
  const parts = params.split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    if (redactor.isSensitive(decode(rawKey))) {
      parts[i] = `${rawKey}=${redacted}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : params;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

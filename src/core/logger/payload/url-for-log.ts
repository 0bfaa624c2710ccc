/**
 * A URL as a log string: its `href` with the password of the user-info part and the values of
 * sensitive query parameters replaced (a token in a query string is as secret as one in a header).
 */
import type { KeyRedactor } from './redaction.ts';

/** `url.href` with credentials and sensitive query values replaced by `redacted`. */
export function urlForLog(url: URL, redactor: KeyRedactor, redacted: string): string {
  let href = url.href;
  const password = url.password;
  if (password !== '') {
    const at = href.indexOf(`:${password}@`);
    if (at >= 0) href = `${href.slice(0, at + 1)}${redacted}${href.slice(at + 1 + password.length)}`;
  }
  const search = url.search;
  if (search.length > 1 && !redactor.off) {
    const hash = url.hash;
    const start = href.length - hash.length - search.length;
    if (start >= 0 && href.slice(start, start + search.length) === search) {
      const parts = search.slice(1).split('&');
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
      if (changed) href = `${href.slice(0, start)}?${parts.join('&')}${hash}`;
    }
  }
  return href;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * Shell-style glob patterns compiled to `RegExp`, with Python `fnmatch` semantics (as the
 * reference's pattern policy uses): `*` matches any run of characters (dots and slashes included),
 * `?` one character, `[seq]` one character in seq (ranges such as `a-z` allowed), `[!seq]` one
 * character not in seq; an unclosed `[` is a literal. Matching is case-sensitive and anchored.
 * Internal.
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The regular-expression source (unanchored) of one glob pattern. */
export function globToRegExpSource(pattern: string): string {
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    i++;
    if (c === '*') {
      // Collapse runs of '*': one is enough, and long runs would make the RegExp slower.
      while (pattern[i] === '*') i++;
      out += '[\\s\\S]*';
    } else if (c === '?') {
      out += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        out += '\\[';
      } else {
        let body = pattern.slice(i, j);
        i = j + 1;
        let negate = false;
        if (body.startsWith('!')) {
          negate = true;
          body = body.slice(1);
        }
        body = body.replace(/[\\\]^[]/g, '\\$&');
        out += negate ? `[^${body}]` : `[${body}]`;
      }
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

/**
 * One anchored `RegExp` matching any of the patterns.
 * @throws SyntaxError when a character class is invalid (e.g. the range `[z-a]`).
 */
export function compileGlobs(patterns: readonly string[]): RegExp {
  return new RegExp(`^(?:${patterns.map(globToRegExpSource).join('|')})$`);
}

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

/** Matches whole strings against a group of glob patterns (any may match). */
export interface GlobMatcher {
  test(value: string): boolean;
}

/** One token of a compiled pattern: a `*`, or a test of exactly one UTF-16 code unit. */
type Token = { readonly star: true } | { readonly star: false; readonly one: (c: string) => boolean };

const STAR: Token = { star: true };
const ANY: Token = { star: false, one: () => true };

function tokenize(pattern: string): Token[] {
  // The same grammar as `globToRegExpSource`: one token per RegExp atom it would emit.
  const tokens: Token[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    i++;
    if (c === '*') {
      while (pattern[i] === '*') i++;
      tokens.push(STAR);
    } else if (c === '?') {
      tokens.push(ANY);
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        tokens.push(literal('['));
      } else {
        // A one-character class is safe as a RegExp (no quantifier, nothing to backtrack).
        const cls = new RegExp(`^${globToRegExpSource(pattern.slice(i - 1, j + 1))}$`);
        i = j + 1;
        tokens.push({ star: false, one: (ch) => cls.test(ch) });
      }
    } else {
      tokens.push(literal(c));
    }
  }
  return tokens;
}

function literal(c: string): Token {
  return { star: false, one: (ch) => ch === c };
}

/**
 * Whether `tokens` match all of `s`. Every token but `*` consumes exactly one code unit, so on a
 * mismatch only the last `*` needs to take one more character: O(length × tokens) at worst. (A
 * RegExp with several `[\s\S]*` backtracks polynomially: `*-*-*-*-x` against 800 dashes took 24 s.)
 */
function matchTokens(tokens: readonly Token[], s: string): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  const n = s.length;
  while (si < n) {
    const t = tokens[ti];
    if (t !== undefined) {
      if (t.star) {
        starTi = ti++;
        starSi = si;
        continue;
      }
      if (t.one(s[si]!)) {
        ti++;
        si++;
        continue;
      }
    }
    if (starTi < 0) return false;
    ti = starTi + 1;
    si = ++starSi;
  }
  while (ti < tokens.length && tokens[ti]!.star) ti++;
  return ti === tokens.length;
}

/**
 * A matcher of whole strings against any of the patterns, with the semantics of the anchored
 * `RegExp` built from {@link globToRegExpSource}, in time linear in the input per `*` (patterns
 * often meet input-derived values such as entity ids, so no catastrophic backtracking).
 * @throws SyntaxError when a character class is invalid (e.g. the range `[z-a]`).
 */
export function compileGlobs(patterns: readonly string[]): GlobMatcher {
  const compiled = patterns.map(tokenize);
  return {
    test(value: string): boolean {
      for (const tokens of compiled) if (matchTokens(tokens, value)) return true;
      return false;
    },
  };
}

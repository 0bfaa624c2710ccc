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

/** One element of a glob pattern: `*`, `?`, a character class, or a literal character. */
type Atom =
  | { readonly k: 'star' }
  | { readonly k: 'any' }
  | { readonly k: 'class'; readonly body: string; readonly negate: boolean }
  | { readonly k: 'literal'; readonly c: string };

/** Scans a pattern once into atoms; both the RegExp form and the matcher are built from them. */
function scanGlob(pattern: string): Atom[] {
  const atoms: Atom[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    i++;
    if (c === '*') {
      // Collapse runs of '*': one is enough.
      while (pattern[i] === '*') i++;
      atoms.push({ k: 'star' });
    } else if (c === '?') {
      atoms.push({ k: 'any' });
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        atoms.push({ k: 'literal', c: '[' }); // an unclosed '[' is a literal
      } else {
        const body = pattern.slice(i, j);
        i = j + 1;
        const negate = body.startsWith('!');
        atoms.push({ k: 'class', body: negate ? body.slice(1) : body, negate });
      }
    } else {
      atoms.push({ k: 'literal', c });
    }
  }
  return atoms;
}

function classSource(body: string, negate: boolean): string {
  const escaped = body.replace(/[\\\]^[]/g, '\\$&');
  return negate ? `[^${escaped}]` : `[${escaped}]`;
}

/** The regular-expression source (unanchored) of one glob pattern. */
export function globToRegExpSource(pattern: string): string {
  let out = '';
  for (const a of scanGlob(pattern)) {
    if (a.k === 'star') out += '[\\s\\S]*';
    else if (a.k === 'any') out += '[\\s\\S]';
    else if (a.k === 'class') out += classSource(a.body, a.negate);
    else out += escapeRegExp(a.c);
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
  return scanGlob(pattern).map((a): Token => {
    if (a.k === 'star') return STAR;
    if (a.k === 'any') return ANY;
    if (a.k === 'literal') return literal(a.c);
    // A one-character class is safe as a RegExp (no quantifier, nothing to backtrack).
    const cls = new RegExp(`^${classSource(a.body, a.negate)}$`);
    return { star: false, one: (ch) => cls.test(ch) };
  });
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

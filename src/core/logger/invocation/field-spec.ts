/**
 * The field-spec grammar of `logInvocation`: parsing (when decorating, so mistakes throw at once)
 * and path resolution (at call time, never throwing).
 *
 * ```
 * spec    := [gate ':'] [alias '='] path ['!']
 * gate    := level (',' level)*        e.g. MAXIMUM  or  NORMAL,MAXIMUM  (empty: always kept)
 * path    := segment ('.' segment)*
 * segment := name | index | 'len()'    'len()' only last; index = digits
 * ```
 *
 * Internal to the logger; the public description lives in `docs/log-invocation.md`.
 */
import { MvxConfigError } from '../../errors.ts';

/** One step of a path. */
export type SpecSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly key: string; readonly index: number }
  | { readonly kind: 'len' };

/** A parsed field spec. */
export interface FieldSpec {
  /** The spec as written, for diagnostics. */
  readonly text: string;
  /** Key of the field in the payload. */
  readonly alias: string;
  /**
   * Verbosity levels (upper case) the field is logged at; `undefined` = not gated (always);
   * an empty array = gated with an empty set (always, but only when the processor has a verbosity).
   */
  readonly gate: readonly string[] | undefined;
  /** Trailing `!`: normalise without item-count limits. */
  readonly unbounded: boolean;
  /** The path; never empty. */
  readonly segments: readonly SpecSegment[];
}

/** What a spec's first segment and its default alias refer to. */
export type SpecRoot = 'args' | 'self' | 'result';

const INDEX_PREFIX: Record<SpecRoot, string> = { args: 'arg', self: 'field', result: 'item' };
const SEGMENT = /^[A-Za-z0-9_$-]+$/;
const ALIAS = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const LEVEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses one spec. Throws {@link MvxConfigError} naming `option` (e.g. `args[1]`) when the spec is
 * malformed: empty, an empty path or segment, a bad alias, a bad gate, `len()` not last.
 */
export function parseFieldSpec(text: unknown, option: string, root: SpecRoot): FieldSpec {
  if (typeof text !== 'string') throw new MvxConfigError(option, `a field spec must be a string, got ${typeof text}`);
  let rest = text.trim();
  if (rest === '') throw new MvxConfigError(option, 'a field spec must not be empty');
  let gate: string[] | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    gate = [];
    for (const raw of rest.slice(0, colon).split(',')) {
      const level = raw.trim();
      if (level === '' && colon === 0) continue;
      if (!LEVEL.test(level)) {
        throw new MvxConfigError(option, `bad verbosity gate '${rest.slice(0, colon)}' in '${text}': expected a comma list of level names such as NORMAL,MAXIMUM`);
      }
      gate.push(level.toUpperCase());
    }
    rest = rest.slice(colon + 1).trim();
    if (rest === '') throw new MvxConfigError(option, `nothing after the verbosity gate in '${text}'`);
  }
  let unbounded = false;
  if (rest.endsWith('!')) {
    unbounded = true;
    rest = rest.slice(0, -1).trim();
  }
  let alias: string | undefined;
  const eq = rest.indexOf('=');
  if (eq >= 0) {
    const a = rest.slice(0, eq).trim();
    if (a !== '') {
      if (!ALIAS.test(a)) throw new MvxConfigError(option, `bad alias '${a}' in '${text}': letters, digits, _, $, - (not first)`);
      alias = a;
    }
    rest = rest.slice(eq + 1).trim();
  }
  if (rest === '') throw new MvxConfigError(option, `empty path in '${text}'`);
  const segments: SpecSegment[] = [];
  const parts = rest.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.trim();
    if (part === 'len()') {
      if (i !== parts.length - 1) throw new MvxConfigError(option, `'len()' must be the last segment in '${text}'`);
      if (i === 0 && root !== 'result') throw new MvxConfigError(option, `'len()' needs something to measure in '${text}'`);
      segments.push({ kind: 'len' });
    } else if (SEGMENT.test(part)) {
      segments.push(/^\d+$/.test(part) ? { kind: 'index', key: part, index: Number(part) } : { kind: 'key', key: part });
    } else {
      throw new MvxConfigError(option, `bad path segment '${part}' in '${text}': a name, an index or len()`);
    }
  }
  const finalAlias = alias ?? defaultAlias(segments, root);
  if (finalAlias === '__proto__') throw new MvxConfigError(option, `'__proto__' cannot be a payload key in '${text}': give an alias`);
  return { text, alias: finalAlias, gate, unbounded, segments };
}

/**
 * Default alias: the last named segment; `arg0` / `item0` / `field0` for a leading index, `rows_2`
 * for an index after something (`rows.2`, `1.0` → `arg1_0`); a trailing
 * `len()` appends `Len` to the alias of what it measures (`items.len()` → `itemsLen`; a bare
 * `len()` on a result → `len`).
 */
function defaultAlias(segments: readonly SpecSegment[], root: SpecRoot): string {
  let alias = '';
  for (const s of segments) {
    if (s.kind === 'key') alias = s.key;
    else if (s.kind === 'index') alias = alias === '' ? INDEX_PREFIX[root] + s.key : `${alias}_${s.key}`;
    else alias = alias === '' ? 'len' : `${alias}Len`;
  }
  return alias;
}

/** Returned by {@link stepInto} when a segment cannot be followed. */
export const UNRESOLVED: unique symbol = Symbol('mvx.unresolved');

/**
 * Follows one segment. Names read own or inherited properties (`in`), or `Map` keys; an index reads
 * an array element, a `Map` key (the string or the number) or a property; `len()` reads `length`
 * (strings, arrays, typed arrays, array-likes) or `size` (Map, Set). Returns {@link UNRESOLVED}
 * for a missing key, a null/undefined step or anything else that cannot be followed. May throw
 * (a throwing getter or proxy): callers catch.
 */
export function stepInto(value: unknown, seg: SpecSegment): unknown {
  if (value === null || value === undefined) return UNRESOLVED;
  if (seg.kind === 'len') {
    if (typeof value === 'string') return value.length;
    if (typeof value !== 'object' && typeof value !== 'function') return UNRESOLVED;
    const v = value as { length?: unknown; size?: unknown };
    if (typeof v.length === 'number') return v.length;
    if (typeof v.size === 'number') return v.size;
    return UNRESOLVED;
  }
  if (value instanceof Map) {
    if (value.has(seg.key)) return value.get(seg.key);
    if (seg.kind === 'index' && value.has(seg.index)) return value.get(seg.index);
    return UNRESOLVED;
  }
  const obj: object = typeof value === 'object' || typeof value === 'function' ? value : Object(value);
  return seg.key in obj ? (obj as Record<string, unknown>)[seg.key] : UNRESOLVED;
}

/** Follows `segments` from index `from` on `value`; may throw (see {@link stepInto}). */
export function resolvePath(value: unknown, segments: readonly SpecSegment[], from: number): unknown {
  let v = value;
  for (let i = from; i < segments.length; i++) {
    v = stepInto(v, segments[i]!);
    if (v === UNRESOLVED) return UNRESOLVED;
  }
  return v;
}

/**
 * Whether a gated spec is logged at `verbosity` (the processor's plain verbosity level). Ungated
 * specs always are; gated ones never when the processor has no verbosity.
 */
export function gateAllows(spec: FieldSpec, verbosity: string | undefined): boolean {
  const gate = spec.gate;
  if (gate === undefined) return true;
  if (verbosity === undefined) return false;
  return gate.length === 0 || gate.includes(verbosity.toUpperCase());
}

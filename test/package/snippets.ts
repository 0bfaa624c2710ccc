/**
 * The docs' code blocks as tests (the convention is documented in README.md, "Development"):
 *
 * - every ```ts / ```js block in README.md and docs/*.md runs as it stands in a consumer project,
 *   unless its first line is a `// fragment` comment (`// fragment: <what it leaves out>`);
 * - `// prints: <line>` comments claim stdout, one line each, in order; `// stderr: <line>`
 *   comments claim stderr the same way; `…` in a claim stands for any text. What a snippet prints
 *   must be exactly what it claims, on both streams (nothing claimed: nothing printed).
 * - ```sh blocks' `npm install …` lines are what the consumer project installs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CodeBlock {
  /** Relative path of the Markdown file, e.g. `docs/otel.md`. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word (`ts`, `sh`, ...). */
  readonly lang: string;
  readonly code: string;
}

export interface Snippet extends CodeBlock {
  /** A file name for it, e.g. `docs-otel-L37.ts`. */
  readonly file: string;
  readonly fragment: boolean;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

export const SCRIPT_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const FRAGMENT = /^\s*\/\/\s*fragment\b/;
const CLAIM = /\/\/\s*(prints|stderr):\s?(.*)$/;

/** The Markdown files whose code is checked: README.md and docs/*.md. */
export function docFiles(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** Fenced code blocks (``` or ~~~, at the start of a line) of one Markdown text. */
export function codeBlocks(doc: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+|~~~+)\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith(fence)) body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`${doc}:${i + 1}: code block never closed`);
    blocks.push({ doc, line: i + 1, lang: open[2]!.toLowerCase(), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** A script block read as a snippet: fragment or not, and its output claims. */
export function toSnippet(block: CodeBlock): Snippet {
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const line of block.code.split('\n')) {
    const m = CLAIM.exec(line);
    if (m) (m[1] === 'prints' ? stdout : stderr).push(m[2]!.trimEnd());
  }
  const ext = block.lang === 'js' || block.lang === 'javascript' || block.lang === 'mjs' ? 'mjs' : 'ts';
  const base = block.doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  return {
    ...block,
    file: `${base}-L${block.line}.${ext}`,
    fragment: FRAGMENT.test(block.code.split('\n')[0] ?? ''),
    stdout,
    stderr,
  };
}

/** Every script snippet of the docs. */
export function snippets(root: string): Snippet[] {
  return docFiles(root).flatMap((doc) =>
    codeBlocks(doc, readFileSync(join(root, doc), 'utf8'))
      .filter((b) => SCRIPT_LANGS.has(b.lang))
      .map(toSnippet),
  );
}

/** Package names from the `npm install …` lines of the docs' shell blocks (versions dropped). */
export function installedByDocs(root: string): string[] {
  const names = new Set<string>();
  for (const doc of docFiles(root)) {
    for (const b of codeBlocks(doc, readFileSync(join(root, doc), 'utf8'))) {
      if (b.lang !== 'sh' && b.lang !== 'bash' && b.lang !== 'shell') continue;
      for (const raw of b.code.replace(/\\\n/g, ' ').split('\n')) {
        const line = raw.replace(/#.*$/, '').split(/&&|\|\||;|\|/)[0]!.trim();
        const m = /^npm (?:install|i|add)\s+(.*)$/.exec(line);
        if (!m) continue;
        for (const token of m[1]!.split(/\s+/)) {
          if (token === '' || token.startsWith('-') || token === 'mvx-common') continue; // the package itself: the tarball
          names.add(token.replace(/^(@?[^@]+)@.*$/, '$1'));
        }
      }
    }
  }
  return [...names];
}

/** Whether `actual` is what `claim` says: exact, with `…` matching any text. */
export function claimMatches(claim: string, actual: string): boolean {
  const pattern = claim
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(actual);
}

/**
 * Compares printed output with the claims: undefined when they agree, else a readable account of
 * the first difference (the stream's lines against the claims, side by side).
 */
export function compareOutput(stream: string, claims: readonly string[], output: string): string | undefined {
  const lines = output === '' ? [] : output.replace(/\n$/, '').split('\n');
  const n = Math.max(lines.length, claims.length);
  for (let i = 0; i < n; i++) {
    const claim = claims[i];
    const line = lines[i];
    if (claim !== undefined && line !== undefined && claimMatches(claim, line)) continue;
    const what =
      claim === undefined ? `line ${i + 1} printed but not claimed` : line === undefined ? `claimed line ${i + 1} not printed` : `line ${i + 1} differs`;
    return `${stream}: ${what}\n  claimed: ${claim ?? '(nothing)'}\n  printed: ${line ?? '(nothing)'}\n` +
      `  all ${stream} lines printed:\n    ${lines.join('\n    ') || '(none)'}`;
  }
  return undefined;
}

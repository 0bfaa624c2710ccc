/** The rules that turn the docs' code blocks into tests (see snippets.ts and README "Development"). */
import { describe, expect, it } from 'vitest';
import { claimMatches, codeBlocks, compareOutput, toSnippet } from './snippets.ts';

describe('docs snippets: extraction and claims', () => {
  it('finds fenced blocks with their language and first line, fragments by their first comment', () => {
    const md = ['# t', '```ts', "import x from 'y';", '```', 'text', '```ts', '// fragment: needs a db', 'db.query();', '```', '```sh', 'npm i a', '```'].join('\n');
    const blocks = codeBlocks('docs/x.md', md);
    expect(blocks.map((b) => [b.line, b.lang])).toEqual([
      [2, 'ts'],
      [6, 'ts'],
      [10, 'sh'],
    ]);
    expect(toSnippet(blocks[0]!)).toMatchObject({ fragment: false, file: 'docs-x-L2.ts' });
    expect(toSnippet(blocks[1]!).fragment).toBe(true);
    expect(() => codeBlocks('a.md', '```ts\nnever closed')).toThrow('a.md:1: code block never closed');
  });

  it('collects // prints: and // stderr: claims in order, trailing or on their own line', () => {
    const s = toSnippet({ doc: 'README.md', line: 1, lang: 'ts', code: "console.log(1); // prints: 1\n// prints: two words\nwarn(); // stderr: oops" });
    expect(s.stdout).toEqual(['1', 'two words']);
    expect(s.stderr).toEqual(['oops']);
  });

  it('a claim matches exactly, with … standing for any text and regex characters taken literally', () => {
    expect(claimMatches('a {"t":"…"} b', 'a {"t":"2026-01-01T00:00:00Z"} b')).toBe(true);
    expect(claimMatches('a.b', 'axb')).toBe(false);
    expect(claimMatches('total 1', 'total 10')).toBe(false);
    expect(claimMatches('[ \'jobs\' ]', "[ 'jobs' ]")).toBe(true);
  });

  it('output must be exactly what is claimed: nothing missing, nothing extra', () => {
    expect(compareOutput('stdout', ['a', 'b…'], 'a\nbc\n')).toBeUndefined();
    expect(compareOutput('stdout', [], '')).toBeUndefined();
    expect(compareOutput('stdout', ['a'], 'a\nb\n')).toContain('line 2 printed but not claimed');
    expect(compareOutput('stderr', ['a', 'b'], 'a\n')).toContain('claimed line 2 not printed');
    expect(compareOutput('stdout', ['a'], 'x\n')).toContain('line 1 differs');
  });
});

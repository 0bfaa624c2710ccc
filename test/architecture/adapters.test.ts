/**
 * Every adapter is complete: a folder under src/adapters/ has its `exports` entry in package.json,
 * a row in docs/adapters.md whose page exists and names the subpath, and a test that runs a
 * contract suite (docs/adapters.md, "Writing an adapter").
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const adapters = readdirSync(join(root, 'src', 'adapters')).filter((n) => statSync(join(root, 'src', 'adapters', n)).isDirectory());
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string; default?: string }> };
const index = readFileSync(join(root, 'docs', 'adapters.md'), 'utf8');

describe('every adapter has its exports entry, docs page and contract run', () => {
  it('finds the adapters', () => {
    expect(adapters.sort()).toEqual(['otel-logs', 'otel-metrics', 'otel-trace', 'prometheus', 'statsd']);
  });

  for (const name of adapters) {
    it(`${name}: an exports entry pointing at its built index, with types`, () => {
      expect(manifest.exports[`./${name}`]).toEqual({ types: `./dist/adapters/${name}/index.d.ts`, default: `./dist/adapters/${name}/index.js` });
      expect(existsSync(join(root, 'src', 'adapters', name, 'index.ts'))).toBe(true);
    });

    it(`${name}: a row in docs/adapters.md whose page exists and names mvx-common/${name}`, () => {
      const row = index.split('\n').find((l) => l.startsWith(`| \`mvx-common/${name}\` |`));
      expect(row, `no row for mvx-common/${name} in docs/adapters.md`).toBeDefined();
      const page = /\]\(([a-z0-9-]+\.md)(#[a-z0-9-]+)?\)/.exec(row!);
      expect(page, row).not.toBeNull();
      const text = readFileSync(join(root, 'docs', page![1]!), 'utf8');
      expect(text).toContain(`mvx-common/${name}`);
      if (page![2] !== undefined) {
        // The anchor is one of the page's headings (GitHub's slugs: lower case, punctuation dropped, spaces to dashes).
        const slugs = text.split('\n').filter((l) => l.startsWith('#')).map((h) => h.replace(/^#+\s*/, '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'));
        expect(slugs).toContain(page![2].slice(1));
      }
    });

    it(`${name}: a test that runs a contract suite`, () => {
      const dir = join(root, 'test', 'adapters', name);
      const runs = readdirSync(dir)
        .filter((f) => f.endsWith('.test.ts'))
        .filter((f) => /\brun(MetricsExporter|LogSink|Lifecycle)Contract\(/.test(readFileSync(join(dir, f), 'utf8')));
      expect(runs, `no test under test/adapters/${name}/ runs a contract suite`).not.toEqual([]);
    });
  }

  it('the adapter kit has its exports entry', () => {
    expect(manifest.exports['./adapter-kit']).toEqual({ types: './dist/adapter-kit/index.d.ts', default: './dist/adapter-kit/index.js' });
  });
});

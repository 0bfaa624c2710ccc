import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

const coreFiles = filesUnder(join(root, 'src', 'core'));

describe('one-way imports', () => {
  it('finds the core files it checks', () => {
    expect(coreFiles.length).toBeGreaterThan(5);
  });

  it('the core imports no adapter and no backend library', () => {
    const offenders: string[] = [];
    for (const f of coreFiles) {
      for (const spec of importsOf(f)) {
        const bad =
          spec.includes('/adapters/') ||
          spec.startsWith('@opentelemetry/') ||
          spec === 'prom-client' ||
          spec === 'hot-shots';
        if (bad) offenders.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the core has no runtime dependency besides node: built-ins', () => {
    const offenders: string[] = [];
    for (const f of coreFiles) {
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.') && !spec.startsWith('node:')) offenders.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: object };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  it('no source file uses `export *`', () => {
    const offenders = filesUnder(join(root, 'src')).filter((f) => /^\s*export\s+\*/m.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('an adapter imports the core only through the public barrel or core files, never another adapter', () => {
    const adaptersDir = join(root, 'src', 'adapters');
    let adapterFiles: string[];
    try {
      adapterFiles = filesUnder(adaptersDir);
    } catch {
      return; // no adapters yet
    }
    const offenders: string[] = [];
    for (const f of adapterFiles) {
      const own = relative(adaptersDir, f).split('/')[0]!;
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(adaptersDir, join(f, '..', spec));
        if (!target.startsWith('..') && target.split('/')[0] !== own) offenders.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

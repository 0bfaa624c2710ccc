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

  it('an adapter imports only its own folder, the public API, the adapter kit, node: built-ins and its backend library', () => {
    const adaptersDir = join(root, 'src', 'adapters');
    const backends: Record<string, (spec: string) => boolean> = {
      'otel-logs': (spec) => spec.startsWith('@opentelemetry/'),
      'otel-metrics': (spec) => spec.startsWith('@opentelemetry/'),
      'otel-trace': (spec) => spec.startsWith('@opentelemetry/'),
      prometheus: (spec) => spec === 'prom-client',
      statsd: (spec) => spec === 'hot-shots',
    };
    const allowed = new Set(['../../index.ts', '../../adapter-kit/index.ts']);
    const adapterFiles = filesUnder(adaptersDir);
    expect(adapterFiles.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const f of adapterFiles) {
      const own = relative(adaptersDir, f).split('/')[0]!;
      for (const spec of importsOf(f)) {
        const ok = spec.startsWith('./') || allowed.has(spec) || spec.startsWith('node:') || (backends[own]?.(spec) ?? false);
        if (!ok) offenders.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('mvx-common/config imports the public API and the kit statically; adapters and backend libraries only on demand (dynamic import)', () => {
    const offenders: string[] = [];
    for (const f of filesUnder(join(root, 'src', 'config'))) {
      const text = readFileSync(f, 'utf8');
      const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
      const all = importsOf(f);
      const lazy = (spec: string): boolean =>
        /^\.\.\/adapters\/[a-z-]+\/index\.ts$/.test(spec) ||
        ['prom-client', 'hot-shots', 'yaml', '@opentelemetry/resources', '@opentelemetry/sdk-logs', '@opentelemetry/exporter-logs-otlp-http', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-metrics-otlp-http'].includes(spec);
      const eager = (spec: string): boolean => spec.startsWith('./') || spec === '../index.ts' || spec === '../adapter-kit/index.ts' || spec.startsWith('node:');
      // `import type` is erased at run time: it may also name what is loaded on demand.
      const typeOnly = [...text.matchAll(/(?:^|\n)\s*import\s+type\s[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const spec of typeOnly) if (!eager(spec) && !lazy(spec)) offenders.push(`${relative(root, f)} -> ${spec} (type)`);
      for (const spec of all.filter((x) => !dynamic.includes(x) && !typeOnly.includes(x))) {
        if (!eager(spec)) offenders.push(`${relative(root, f)} -> ${spec} (static)`);
      }
      for (const spec of dynamic) if (!lazy(spec)) offenders.push(`${relative(root, f)} -> ${spec} (dynamic)`);
    }
    expect(offenders).toEqual([]);
  });

  it('the adapter kit imports the core only, never an adapter or a backend library', () => {
    const offenders: string[] = [];
    for (const f of filesUnder(join(root, 'src', 'adapter-kit'))) {
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('../core/') && !spec.startsWith('./') && !spec.startsWith('node:')) offenders.push(`${relative(root, f)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

/**
 * The root API's size is stated in the README's development section; this test keeps the figure
 * true (so the surface cannot grow or shrink silently), and keeps constants in the root to the
 * documented names and defaults users read (tuning constants and internals stay out).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.ts';
import * as kit from '../../src/adapter-kit/index.ts';

const repo = join(import.meta.dirname, '..', '..');

function typeExports(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  return [...text.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
}

const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const development = readme.slice(readme.indexOf('## Development'));

describe('the root API', () => {
  it('has the size the README states', () => {
    const claim = /The root export `mvx-common` has (\d+)\s+value\s+exports\s+and\s+(\d+)\s+type\s+exports/.exec(development);
    expect(claim, 'the README development section states the size of the root API').not.toBeNull();
    expect({ values: Object.keys(root).length, types: typeExports('src/index.ts').length }).toEqual({ values: Number(claim![1]), types: Number(claim![2]) });
  });

  it('states the size of the adapter kit too', () => {
    const claim = /`mvx-common\/adapter-kit` \((\d+)\s+value\s+exports\)/.exec(development);
    expect(claim).not.toBeNull();
    expect(Object.keys(kit).length).toBe(Number(claim![1]));
  });

  it('exports no tuning constant: the constants are names and documented defaults users read', () => {
    const constants = Object.keys(root).filter((k) => /^[A-Z][A-Z0-9_]+$/.test(k));
    expect(constants.sort()).toEqual([
      'DEFAULT_BYTES_BUCKETS',
      'DEFAULT_MILLISECONDS_BUCKETS',
      'DEFAULT_REDACT_KEYS',
      'DEFAULT_SECONDS_BUCKETS',
      'DIAGNOSTICS_CHANNEL_NAME',
      'OTHER_OUTCOME',
      'OVERFLOW_ATTRIBUTE',
      'SAMPLED_OUT_METRIC',
      'SAMPLING_SUMMARY_EVENT',
    ]);
  });

  it('extension points live in the kit, not in the root', () => {
    for (const name of ['buildLogEvent', 'SeriesStore', 'attributesKey', 'attachMetricsPort', 'reportDiagnostic', 'isLogPayloadProvider']) {
      expect(Object.keys(root), name).not.toContain(name);
      expect(Object.keys(kit), name).toContain(name);
    }
  });
});

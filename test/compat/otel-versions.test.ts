/**
 * docs/otel.md says exactly which OpenTelemetry JS versions are tested: the current line from the
 * root install, the previous one pinned in test/compat/otel-2x. This keeps that table true when
 * either is bumped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const docs = readFileSync(join(root, 'docs', 'otel.md'), 'utf8');
const row = (line: string): string => docs.split('\n').find((l) => l.startsWith(`| ${line} |`)) ?? '';
const installed = (name: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('docs/otel.md names the tested OpenTelemetry versions', () => {
  it('the current line: the versions installed at the root', () => {
    const current = row('current');
    for (const name of ['api', 'api-logs', 'sdk-logs', 'sdk-metrics', 'sdk-trace', 'core', 'resources', 'context-async-hooks', 'exporter-logs-otlp-http', 'exporter-prometheus']) {
      expect(current, name).toContain(installed(`@opentelemetry/${name}`));
    }
  });

  it('the previous line: every version pinned in test/compat/otel-2x/package.json', () => {
    const previous = row('previous');
    const pinned = (JSON.parse(readFileSync(join(root, 'test', 'compat', 'otel-2x', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    expect(Object.keys(pinned).length).toBeGreaterThanOrEqual(10);
    for (const [name, version] of Object.entries(pinned)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/); // pinned, not a range
      expect(previous, name).toContain(version);
      const short = name.replace('@opentelemetry/', '');
      expect(previous.includes(`\`${short}\``) || previous.includes(`\`${name}\``) || short.startsWith('exporter-'), name).toBe(true);
    }
  });
});

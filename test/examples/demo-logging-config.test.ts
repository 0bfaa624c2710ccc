/**
 * The demo builds its sinks and contexts from an `mvx-common/config` document
 * (examples/demo/mvx.json, `--config`): the README shows that file as it is, the file is valid,
 * and a bad document makes the demo exit 1 with one message naming the file and the path.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.ts';
import { root, runDemo } from './demo-run.ts';

const shipped = JSON.parse(readFileSync(join(root, 'examples', 'demo', 'mvx.json'), 'utf8')) as unknown;

describe('the demo\'s configuration file', () => {
  it('is valid, and the README shows it as it is', () => {
    expect(() => validateConfig(shipped)).not.toThrow();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const demoSection = readme.slice(readme.indexOf('## The demo'), readme.indexOf('## The ideas'));
    const block = /```json\n([\s\S]*?)```/.exec(demoSection);
    expect(block).not.toBeNull();
    expect(JSON.parse(block![1]!.replace(/^ {2}/gm, ''))).toEqual(shipped);
  });

  it('a document with an error: exits 1 with one message naming the file and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-demo-config-'));
    const file = join(dir, 'bad.json');
    const doc = JSON.parse(JSON.stringify(shipped)) as { contexts: Record<string, { sink: string }> };
    doc.contexts['demo']!.sink = 'everything';
    writeFileSync(file, JSON.stringify(doc));
    const run = await runDemo(['--duration', '1', '--quiet', '--metrics-port', '0', '--config', file], { killAfterMs: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('demo failed:'));
    expect(lines).toEqual([
      `demo failed: the logging configuration is not valid: ${file}: contexts.demo.sink: unknown sink "everything" (defined: "console", "consoleFiltered", "file", "all")`,
    ]);
    expect(run.stdout).not.toContain('summary');
  });

  it('YAML works too (MVX_CONFIG)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-demo-config-'));
    const file = join(dir, 'mvx.yaml');
    const { stringify } = await import('yaml');
    writeFileSync(file, stringify(shipped));
    const run = await runDemo(['--duration', '1', '--quiet', '--linger', '0', '--metrics-port', '0'], { killAfterMs: 30_000, env: { MVX_CONFIG: file } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('result: every request counted, everything delivered');
    expect(readFileSync(join(run.logDir, 'demo.log'), 'utf8')).toContain('"event":"started"');
  });
});

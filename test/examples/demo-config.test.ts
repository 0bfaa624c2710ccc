import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LINGER_S, OPTIONS, UsageError, helpText, loadConfig } from '../../examples/demo/config.ts';
import type { DemoConfig } from '../../examples/demo/config.ts';
import { root, runDemo } from './demo-run.ts';

const config = (argv: string[], env: Record<string, string> = {}): DemoConfig => {
  const c = loadConfig(argv, env);
  if (c === 'help') throw new Error('unexpected help');
  return c;
};

describe('demo configuration', () => {
  it('--help lists every flag and every environment variable the demo reads', () => {
    const help = helpText();
    for (const o of OPTIONS) {
      if (o.flag !== undefined) expect(help).toContain(`--${o.flag}`);
      if (o.env !== undefined) expect(help).toContain(o.env);
    }
    // Whatever the sources read from the environment must be in the help too.
    const dir = join(root, 'examples', 'demo');
    const read = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:DEMO|STATSD|OTEL)_[A-Z_]+\b/g)) read.add(m[0]);
    }
    expect([...read]).toEqual(expect.arrayContaining(['STATSD_PORT', 'DEMO_PORT', 'DEMO_ABORT_RATIO', 'OTEL_SERVICE_NAME']));
    for (const name of read) expect(help, name).toContain(name);
  });

  it("README's demo section names every flag and every DEMO_/STATSD_ variable", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The demo'), readme.indexOf('## The ideas'));
    for (const o of OPTIONS) {
      if (o.flag !== undefined && o.flag !== 'help') expect(section).toContain(`--${o.flag}`);
      if (o.env !== undefined) expect(section).toContain(o.env);
    }
  });

  it('npm run demo -- --help prints the help and exits 0 without starting anything', async () => {
    const run = await runDemo(['--help'], { killAfterMs: 20_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(helpText());
    expect(run.stderr).toBe('');
  });

  it('defaults, then the environment, then flags', () => {
    const d = config([]);
    expect(d).toMatchObject({ durationS: 10, rate: 100, concurrency: 16, host: '127.0.0.1', servicePort: 0, metricsPort: 9464, lingerS: DEFAULT_LINGER_S, progress: true });
    expect(d.policyFile).toBe(join(root, 'examples', 'demo', 'console-policy.json'));
    expect(config([], { DEMO_PORT: '8080', STATSD_PORT: '9125', DEMO_ABORT_RATIO: '0.5', DEMO_HOST: '0.0.0.0' })).toMatchObject({
      servicePort: 8080,
      statsdPort: 9125,
      abortRatio: 0.5,
      host: '0.0.0.0',
    });
    expect(config(['--port', '8081', '--quiet'], { DEMO_PORT: '8080' })).toMatchObject({ servicePort: 8081, progress: false });
    expect(config([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }).otlpEndpoint).toBe('http://localhost:4318');
    expect(config([]).otlpEndpoint).toBeUndefined();
  });

  it('refuses invalid values, naming the flag or the variable', () => {
    const refused = (argv: string[], env: Record<string, string> = {}): string => {
      try {
        loadConfig(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused(['--concurrency', '1.5'])).toBe("--concurrency must be an integer from 1 to 512, got '1.5'");
    expect(refused(['--metrics-port', '70000'])).toMatch(/^--metrics-port must be an integer from 0 to 65535/);
    expect(refused(['--duration', '0'])).toMatch(/^--duration must be a number from 1/);
    expect(refused(['--linger=-1'])).toMatch(/^--linger must be a number from 0/);
    expect(refused([], { DEMO_PORT: 'http' })).toMatch(/^DEMO_PORT must be an integer/);
    expect(refused([], { STATSD_PORT: '0' })).toMatch(/^STATSD_PORT must be an integer from 1/);
    expect(refused(['--host', ''])).toMatch(/^--host must not be empty/);
    expect(refused(['extra'])).toMatch(/positional/i);
  });
});

/**
 * Each feature example runs as a user would run it (`npm run example -- <name>`: Node 24, the built
 * package through its `mvx-common` self-reference), and what it prints is checked.
 */
import { describe, expect, it } from 'vitest';
import { exampleOutput } from './run-example.ts';

const run = (file: string): Promise<{ stdout: string; stderr: string }> => exampleOutput(file.replace(/\.ts$/, ''));

describe('feature examples', () => {
  it('logger-quick-start: logs with no setup, inherits a subtree sink, redacts, never builds a disabled payload', async () => {
    const { stdout, stderr } = await run('logger-quick-start.ts');
    expect(JSON.parse(stderr.trim().split('\n')[0]!)).toMatchObject({ namespace: 'app', event: 'started', levelName: 'INFO' });
    expect(stdout).toContain('app.db.pool.connection.opened level=10 entity=conn-7 payload={"host":"db-1","port":5432,"password":"[REDACTED]"}');
    expect(stdout).toContain('app.db.pool.connection.slow level=30');
    expect(stdout).toContain('disabled payload built 0 times');
  });

  it('file-sink: every event accepted is delivered, files rotate and old ones are gzipped', async () => {
    const { stdout } = await run('file-sink.ts');
    const m = /accepted=(\d+) delivered=(\d+) dropped=(\d+) failed=(\d+) rotations=(\d+) timedOut=(\w+)/.exec(stdout);
    expect(m).not.toBeNull();
    expect(m!.slice(1, 5).map(Number)).toEqual([2000, 2000, 0, 0]);
    expect(Number(m![5])).toBeGreaterThan(0);
    expect(m![6]).toBe('false');
    expect(stdout).toMatch(/files in .*: app\.log, app\.log\.1\.gz, app\.log\.2\.gz, app\.log\.3\.gz/);
  });

  it('pattern-policy: the JSON rules decide, first match wins, and a broken config names its path', async () => {
    const { stdout } = await run('pattern-policy.ts');
    const logged = stdout.split('\n').filter((l) => l.startsWith('logged '));
    expect(logged).toEqual([
      'logged app.http.request {"path":"/orders"}',
      'logged app.http.cache.hit {"key":"k2"}',
      'logged app.http.request {"path":"/pay"}',
    ]);
    expect(stdout).toContain("isEnabled('cache.hit', DEBUG) = false");
    expect(stdout).toContain("rejected: invalid option 'rules[1].namespaces[0]'");
  });

  it('custom-payload-processor: the seed processor and the built-in one both keep secrets out', async () => {
    const { stdout } = await run('custom-payload-processor.ts');
    expect(stdout).toContain('custom: {"user":"ann","password":"<redacted>","ssn":"078-05-1120","session":"<Session>"}');
    const builtin = JSON.parse(stdout.split('\n').find((l) => l.startsWith('builtin: '))!.slice('builtin: '.length));
    expect(builtin).toMatchObject({ user: 'ann', password: '[REDACTED]', ssn: '[REDACTED]', session: { userId: 'u-9', accessToken: '[REDACTED]' } });
    expect(stdout).not.toContain('hunter2');
    expect(stdout).not.toContain('eyJ');
  });

  it('log-invocation: invoke/success, a suppressed failure, a cancellation, and a sync function', async () => {
    const { stdout } = await run('log-invocation.ts');
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'app.ldap.ldap.bind [invoke]',
      'app.ldap.ldap.bind [success]',
      'app.ldap.ldap.bind [invoke]',
      'app.ldap.ldap.bind [failed]',
      'app.ldap.ldap.bind [invoke]',
      'app.ldap.ldap.bind [cancelled]',
      'app.config.config.parse [invoke]',
      'app.config.config.parse [success]',
    ]);
    expect(lines[0]).toContain('"password":"[REDACTED]"');
    expect(lines[1]).toContain('"state":"bound","result":{"ok":true}');
    expect(lines[3]).toContain('level=10'); // suppressed: DEBUG, no error payload
    expect(lines[3]).not.toContain('"error"');
    expect(lines[5]).toMatch(/level=20 .*"cancelled":true/);
    expect(lines[7]).toContain('"result":{"port":8080}');
    expect(stdout).not.toContain('correct horse');
  });

  it('otel-export: spans nest, log records carry the trace id, the metric reaches the SDK', async () => {
    const { stdout } = await run('otel-export.ts');
    const spans = stdout.split('\n').filter((l) => l.startsWith('span '));
    expect(spans).toHaveLength(2);
    const traceIds = new Set(spans.map((l) => /trace=(\w+)/.exec(l)![1]));
    expect(traceIds.size).toBe(1);
    const [traceId] = [...traceIds];
    expect(spans.find((l) => l.includes('shop.order.place'))).toContain('parent=-');
    expect(spans.find((l) => l.includes('shop.stock.reserve'))).toMatch(/parent=[0-9a-f]{16}/);
    expect(stdout).toContain(`log   shop.stock.checked severity=9/INFO trace=${traceId}`);
    // Every record, the calls' own invoke/success included, carries the trace.
    const logs = stdout.split('\n').filter((l) => l.startsWith('log '));
    expect(logs).toHaveLength(5);
    for (const l of logs) expect(l).toContain(`trace=${traceId}`);
    expect(stdout).toContain('metric shop.orders = 1');
  });

  it('prometheus-scrape: the scrape shows exact counters and seconds-based histogram buckets', async () => {
    const { stdout } = await run('prometheus-scrape.ts');
    expect(stdout).toContain('http_server_requests_total{route="/a",status="200"} 2');
    expect(stdout).toContain('http_server_requests_total{route="/b",status="500"} 1');
    expect(stdout).toContain('http_server_duration_seconds_bucket{le="0.01"} 1');
    expect(stdout).toContain('http_server_duration_seconds_bucket{le="+Inf"} 3');
    expect(stdout).toContain('http_server_duration_seconds_count 3');
  });
});

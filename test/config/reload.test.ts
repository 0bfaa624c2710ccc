import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigDocumentError, configure, configureFromFile } from '../../src/config/index.ts';
import type { MvxConfigDocument, MvxSystem, ReloadResult } from '../../src/config/index.ts';
import { LogLevel, getLogContext, getLogSink, getRootLogContext, resetLogger } from '../../src/index.ts';
import type { DeliveryStats, MemorySink } from '../../src/index.ts';
import { useDiagnosticsCapture } from '../support/diagnostics.ts';

const diagnostics = useDiagnosticsCapture();
let dir: string;
let system: MvxSystem | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvx-reload-'));
});
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 3000 });
  system = undefined;
  await resetLogger({ timeoutMs: 1000 });
  rmSync(dir, { recursive: true, force: true });
});

const base = (): MvxConfigDocument => ({
  version: 1,
  sinks: { a: { type: 'memory' }, b: { type: 'memory' }, quiet: { type: 'null' } },
  contexts: {
    '': { sink: 'quiet' },
    app: { sink: 'a', minLevel: 'INFO', payload: { maxStringLength: 100 } },
    'app.db': { policy: { rules: [{ action: 'deny', names: ['noisy'] }] } },
  },
  metrics: { recorders: { jobs: {} } },
});

describe('reload', () => {
  it('changes levels, policies, processor settings and sink assignments at once; equal sinks stay open', async () => {
    system = await configure(base());
    const a = getLogSink('a') as MemorySink;
    const b = getLogSink('b') as MemorySink;
    getLogContext('app').debug('hidden');
    getLogContext('app.db').info('noisy');
    getLogContext('app').info('long', { text: 'x'.repeat(50) });
    const next = base();
    next.contexts!['app'] = { sink: 'b', minLevel: 'DEBUG', payload: { maxStringLength: 10 } };
    delete next.contexts!['app.db'];
    const r = await system.reload(next);
    expect(r).toMatchObject({ ok: true, sinks: { added: [], replaced: [], removed: [] }, closed: [] });
    expect(getLogSink('a')).toBe(a);
    expect(getLogSink('b')).toBe(b);
    getLogContext('app').debug('shown');
    getLogContext('app.db').info('noisy');
    getLogContext('app').info('long', { text: 'x'.repeat(50) });
    expect(a.names()).toEqual(['long']);
    expect(b.names()).toEqual(['shown', 'noisy', 'long']);
    expect(String(b.last()!.payload['text']).startsWith('xxxxxxxxxx')).toBe(true);
    expect(String(b.last()!.payload['text']).length).toBeLessThan(50);
    expect(system.document).toBe(next);
  });

  it('sinks that change are replaced and the old ones flushed and closed; removed ones closed; new ones added', async () => {
    const doc = base();
    doc.sinks!['file'] = { type: 'file', path: join(dir, 'one.log') };
    doc.contexts!['files'] = { sink: 'file' };
    system = await configure(doc);
    const oldFile = getLogSink('file')!;
    getLogContext('files').info('first');
    const next = base();
    next.sinks!['file'] = { type: 'file', path: join(dir, 'two.log') };
    next.sinks!['c'] = { type: 'memory' };
    delete next.sinks!['b'];
    next.contexts!['files'] = { sink: 'file' };
    const r = await system.reload(next);
    expect(r.ok).toBe(true);
    expect(r.sinks).toEqual({ added: ['c'], replaced: ['file'], removed: ['b'] });
    expect(r.closed.map((c) => [c.name, c.status]).sort()).toEqual([
      ['b', 'done'],
      ['file', 'done'],
    ]);
    expect(getLogSink('file')).not.toBe(oldFile);
    expect(getLogSink('b')).toBeUndefined();
    getLogContext('files').info('second');
    await system.flush();
    expect(readFileSync(join(dir, 'one.log'), 'utf8')).toContain('"first"');
    expect(readFileSync(join(dir, 'two.log'), 'utf8')).toContain('"second"');
    expect(readFileSync(join(dir, 'one.log'), 'utf8')).not.toContain('"second"');
  });

  it('an invalid document changes nothing and says why; so does a change that needs a restart', async () => {
    system = await configure(base());
    const a = getLogSink('a') as MemorySink;
    const bad = base();
    bad.contexts!['app'] = { sink: 'gone' };
    const r = await system.reload(bad);
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(ConfigDocumentError);
    expect((r.error as Error).message).toBe('contexts.app.sink: unknown sink "gone" (defined: "a", "b", "quiet")');
    const metrics = base();
    metrics.metrics = { recorders: { jobs: {}, more: {} } };
    expect((await system.reload(metrics)).error).toMatchObject({ message: 'metrics: changed: a reload applies sinks and contexts only; restart to change metrics, adapters or service' });
    getLogContext('app').info('still a');
    expect(a.names()).toEqual(['still a']);
    expect((await system.reload()).error).toMatchObject({ message: '(document): reload() needs a document: this configuration was not read from a file' });
  });

  it('a root setting the new document drops goes back to what the root had before the first configuration', async () => {
    const bootstrapSink = getRootLogContext().sink;
    system = await configure(base());
    expect(getRootLogContext().sink).toBe(getLogSink('quiet'));
    const next = base();
    delete next.contexts![''];
    expect((await system.reload(next)).ok).toBe(true);
    expect(getRootLogContext().sink).toBe(bootstrapSink);
  });

  it('under load: no event lost or delivered twice, and every sink accounts for what it accepted', async () => {
    const files = ['0', '1', '2', '3'].map((n) => join(dir, `load-${n}.log`));
    const docFor = (i: number): MvxConfigDocument => ({
      version: 1,
      sinks: { out: { type: 'file', path: files[i]!, async: { maxQueueSize: 100_000, batchIntervalMs: 1 } }, quiet: { type: 'null' } },
      contexts: { '': { sink: 'quiet' }, load: { sink: 'out', minLevel: i % 2 === 0 ? 'INFO' : 'DEBUG' } },
    });
    system = await configure(docFor(0));
    const TOTAL = 20_000;
    const QUARTER = TOTAL / files.length;
    let emitted = 0;
    // The producer goes up to `limit`; the test raises it right after starting each reload, so
    // events keep coming while the old sink is being flushed and closed, and each file gets a share
    // however slow the machine is.
    let limit = QUARTER;
    const ctx = getLogContext('load');
    // A bounded producer on its own ticks: up to 200 events per turn of the event loop.
    const producer = (async () => {
      while (emitted < TOTAL) {
        for (let i = 0; i < 200 && emitted < limit; i++) ctx.info('e', { seq: emitted++ });
        await new Promise((r) => setImmediate(r));
      }
    })();
    const results: ReloadResult[] = [];
    const accounted = (s: unknown): boolean => {
      const d = s as DeliveryStats;
      return d.accepted === d.delivered + d.dropped + d.failed + d.pending;
    };
    for (let i = 1; i < files.length; i++) {
      while (emitted < limit) await new Promise((r) => setImmediate(r));
      expect(accounted(system.stats().sinks['out'])).toBe(true);
      const reloading = system.reload(docFor(i));
      limit += QUARTER;
      results.push(await reloading);
      expect(accounted(system.stats().sinks['out'])).toBe(true);
    }
    await producer;
    expect(results.map((r) => [r.ok, r.sinks?.replaced])).toEqual([
      [true, ['out']],
      [true, ['out']],
      [true, ['out']],
    ]);
    // Each replaced sink was flushed and closed, everything it accepted delivered.
    const reports = results.flatMap((r) => r.closed).map((c) => c.report as DeliveryStats);
    for (const rep of reports) {
      expect(accounted(rep)).toBe(true);
      expect(rep).toMatchObject({ dropped: 0, failed: 0, pending: 0 });
    }
    const last = await system.shutdown({ timeoutMs: 5000 });
    const lastReport = (last.components['sink.out'] as { report: DeliveryStats }).report;
    expect(lastReport).toMatchObject({ dropped: 0, failed: 0, pending: 0 });
    const accepted = reports.reduce((n, r) => n + r.accepted, 0) + lastReport.accepted;
    expect(accepted).toBe(TOTAL);
    const seqs = files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { payload: { seq: number } }).payload.seq));
    expect(seqs.length).toBe(TOTAL);
    expect(new Set(seqs).size).toBe(TOTAL);
    // Every file got its share: the switches happened between two events of the stream.
    for (const f of files) expect(readFileSync(f, 'utf8').trim().split('\n').length).toBe(QUARTER);
  });
});

describe('watch', () => {
  it('reloads the file on a signal and when it changes; a bad edit is reported and changes nothing', async () => {
    const file = join(dir, 'mvx.json');
    writeFileSync(file, JSON.stringify(base()));
    system = await configureFromFile(file);
    const seen: ReloadResult[] = [];
    const stop = system.watch({ signal: 'SIGHUP', file: true, debounceMs: 20, onReload: (r) => seen.push(r) });
    const next = base();
    next.contexts!['app'] = { sink: 'a', minLevel: 'DEBUG' };
    // Saved as editors do: a new file renamed over the old one.
    writeFileSync(`${file}.tmp`, JSON.stringify(next));
    renameSync(`${file}.tmp`, file);
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen[0]?.ok).toBe(true);
    expect(getLogContext('app').minLevel).toBe(LogLevel.DEBUG);
    stop();
    const onSignal: ReloadResult[] = [];
    system.watch({ signal: 'SIGHUP', onReload: (r) => onSignal.push(r) });
    writeFileSync(file, '{ "version": 1, "sinks": { "a": { "type": "memory", "size": 1 } } }');
    process.emit('SIGHUP');
    while (onSignal.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(onSignal[0]?.ok).toBe(false);
    expect((onSignal[0]!.error as Error).message).toBe(`${file}: sinks.a.size: unknown key; valid keys here are type, capacity`);
    expect(diagnostics().keys()).toContain('config:config.reload_failed');
    expect(getLogContext('app').minLevel).toBe(LogLevel.DEBUG);
    await system.shutdown();
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });
});

describe('environment', () => {
  it('MVX_LOG_LEVEL sets the root level over the document; a bad value is an error naming it', async () => {
    system = await configure(base(), { env: { MVX_LOG_LEVEL: 'warning' } });
    expect(getRootLogContext().minLevel).toBe(LogLevel.WARNING);
    await system.shutdown();
    system = undefined;
    await expect(configure(base(), { env: { MVX_LOG_LEVEL: 'LOUD' } })).rejects.toThrow('MVX_LOG_LEVEL: "LOUD" is not a level');
    system = await configure(base(), { env: { MVX_LOG_LEVEL: '15' } });
    expect(getRootLogContext().minLevel).toBe(15);
  });

  it('MVX_CONFIG is the default file; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the service section', async () => {
    const file = join(dir, 'env.json');
    writeFileSync(file, JSON.stringify({ ...base(), service: { name: 'from-file', resourceAttributes: { region: 'eu', team: 'a' } } }));
    system = await configureFromFile(undefined, {
      env: { MVX_CONFIG: file, OTEL_RESOURCE_ATTRIBUTES: 'team=b,service.name=attr,deployment.environment=pre%20prod,broken', OTEL_SERVICE_NAME: 'orders' },
    });
    expect(system.file).toBe(file);
    expect(system.resource).toEqual({ 'service.name': 'orders', region: 'eu', team: 'b', 'deployment.environment': 'pre prod' });
    expect(system.runtime!.namespace).toBe('orders');
    await expect(configureFromFile(undefined, { env: {} })).rejects.toThrow('MVX_CONFIG: no configuration file: pass a path or set MVX_CONFIG');
  });
});

it('the test directory is cleaned up (sanity of the fixture)', () => {
  expect(readdirSync(dir)).toEqual([]);
});

// Configuration errors: any option value either builds a sink with sane resolved options or throws an
// MvxConfigError naming the option — never another error, never a crash later.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvxConfigError } from '../../../../src/index.ts';
import { FileSink } from '../../../../src/core/logger/sinks/file-sink.ts';
import { installExitHandlers } from '../../../../src/core/logger/sinks/exit-handlers.ts';

const value = fc.oneof(
  fc.anything(),
  fc.integer({ min: -10, max: 20_000_000 }),
  fc.double(),
  fc.constantFrom('drop-newest', 'drop-oldest', 'json', 'readable', 'local', 'utc', false, true, 0, 1024, 1e9, () => 'x'),
);
const keys = [
  'maxQueueSize', 'overflowPolicy', 'maxBatchSize', 'batchIntervalMs', 'maxRetries', 'retryBaseDelayMs', 'retryMaxDelayMs',
  'deliveryTimeoutMs', 'flushTimeoutMs', 'shutdownTimeoutMs', 'onDrop', 'onError', 'name',
  'format', 'maxBytes', 'maxFiles', 'rotateDaily', 'compress', 'clock', 'fileMode', 'unknownKey',
];

describe('sink option validation (fuzz)', () => {
  it('FileSink: builds with sane options or throws MvxConfigError naming a real option', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 }), fc.oneof(fc.constant('/tmp/x.log'), fc.anything()), (opts, path) => {
        let sink: FileSink | undefined;
        try {
          sink = new FileSink({ ...opts, path } as never);
        } catch (err) {
          expect(err).toBeInstanceOf(MvxConfigError);
          const option = (err as MvxConfigError).option;
          expect([...keys, 'path', 'options']).toContain(option);
          expect((err as Error).message).toContain(option);
          return;
        }
        const o = (sink as unknown as { sinkOptions: { maxQueueSize: number; maxBatchSize: number; retryBaseDelayMs: number; retryMaxDelayMs: number } }).sinkOptions;
        expect(Number.isInteger(o.maxQueueSize) && o.maxQueueSize >= 1).toBe(true);
        expect(Number.isInteger(o.maxBatchSize) && o.maxBatchSize >= 1).toBe(true);
        expect(o.retryMaxDelayMs).toBeGreaterThanOrEqual(o.retryBaseDelayMs);
        expect(sink.fileOptions.maxBytes === 0 || sink.fileOptions.maxBytes >= 1024).toBe(true);
        expect(sink.state).toBe('idle');
      }),
      { numRuns: 2_000 },
    );
  });

  it('installExitHandlers: invalid options throw MvxConfigError before anything is installed', () => {
    const before = process.listenerCount('SIGTERM');
    fc.assert(
      fc.property(fc.record({ timeoutMs: fc.anything(), signals: fc.anything(), sinks: fc.anything() }, { requiredKeys: [] }), (opts) => {
        try {
          installExitHandlers(opts as never)();
        } catch (err) {
          expect(err).toBeInstanceOf(MvxConfigError);
        }
        expect(process.listenerCount('SIGTERM')).toBe(before);
      }),
      { numRuns: 500 },
    );
  });
});

/** The structural error payload: type, message, code, stack by verbosity, own fields, causes. */
import { describe, expect, it } from 'vitest';
import { LogPayloadProcessor, MvxConfigError } from '../../../../src/index.ts';

const p = new LogPayloadProcessor();
type ErrorPayload = Record<string, unknown> & { stack?: string; cause?: ErrorPayload | string };

function deepError(frames: number): Error {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  try {
    const recurse = (n: number): Error => (n === 0 ? new Error('deep') : recurse(n - 1));
    return recurse(frames);
  } finally {
    Error.stackTraceLimit = previous;
  }
}

describe('error payload', () => {
  it('has type, message, code, stack, own fields (redacted) and cause', () => {
    class HttpError extends Error {
      readonly status: number;
      readonly authorization: string;
      constructor(message: string, status: number, authorization: string) {
        super(message, { cause: new TypeError('socket hang up') });
        this.status = status;
        this.authorization = authorization;
      }
    }
    const err = Object.assign(new HttpError('bad gateway', 502, 'Bearer abc'), { code: 'E_GATEWAY' });
    const out = p.normalizeError(err) as ErrorPayload;
    expect(out).toMatchObject({
      type: 'HttpError',
      message: 'bad gateway',
      code: 'E_GATEWAY',
      status: 502,
      authorization: '[REDACTED]',
      cause: { type: 'TypeError', message: 'socket hang up' },
    });
    expect(out.stack).toMatch(/^Error: bad gateway\n {4}at /);
    expect(JSON.stringify(out)).not.toContain('Bearer abc');
  });

  it('reports a custom name only when it differs from the class', () => {
    const e = new Error('x');
    e.name = 'ValidationError';
    expect(p.normalizeError(e)).toMatchObject({ type: 'Error', name: 'ValidationError' });
    expect(p.normalizeError(new RangeError('r'))).not.toHaveProperty('name');
  });

  it('stack by verbosity: none at MINIMAL, 10 frames at NORMAL, all at MAXIMUM, cut at maxStackLength', () => {
    const err = deepError(30);
    expect(new LogPayloadProcessor({ verbosity: 'MINIMAL' }).normalizeError(err)).not.toHaveProperty('stack');
    const normal = p.normalizeError(err).stack as string;
    expect(normal.match(/\n {4}at /g)).toHaveLength(10);
    expect(normal).toMatch(/\n {4}… \d+ more frames$/);
    const maximum = new LogPayloadProcessor({ verbosity: 'MAXIMUM' }).normalizeError(err).stack as string;
    expect(maximum).toBe(err.stack);
    const short = new LogPayloadProcessor({ verbosity: 'MAXIMUM', maxStackLength: 20 }).normalizeError(err).stack as string;
    expect(short).toMatch(/^.{20}…\[\+\d+ chars\]$/s);
  });

  it('follows the cause chain up to maxErrorCauses', () => {
    let err: Error = new Error('root');
    for (let i = 1; i <= 8; i++) err = new Error(`level ${i}`, { cause: err });
    const q = new LogPayloadProcessor({ maxErrorCauses: 3, verbosity: 'MINIMAL' });
    expect(q.normalizeError(err)).toEqual({
      type: 'Error',
      message: 'level 8',
      cause: {
        type: 'Error',
        message: 'level 7',
        cause: { type: 'Error', message: 'level 6', cause: { type: 'Error', message: 'level 5', cause: '[… cause chain limit]' } },
      },
    });
  });

  it('a cyclic cause becomes [Circular]', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const q = new LogPayloadProcessor({ verbosity: 'MINIMAL' });
    expect(q.normalizeError(a)).toEqual({ type: 'Error', message: 'a', cause: { type: 'Error', message: 'b', cause: '[Circular]' } });
  });

  it('AggregateError lists its errors (bounded by maxItems) with their causes', () => {
    const agg = new AggregateError(
      [new Error('one', { cause: new Error('why one') }), new TypeError('two'), 'three', new Error('four')],
      'many failed',
      { cause: new Error('outer cause') },
    );
    const q = new LogPayloadProcessor({ verbosity: 'MINIMAL', maxItems: 3 });
    expect(q.normalizeError(agg)).toEqual({
      type: 'AggregateError',
      message: 'many failed',
      cause: { type: 'Error', message: 'outer cause' },
      errors: [
        { type: 'Error', message: 'one', cause: { type: 'Error', message: 'why one' } },
        { type: 'TypeError', message: 'two' },
        'three',
        '[… 1 more items]',
      ],
    });
  });

  it('an own field named like a fixed field is kept under fields', () => {
    const e = Object.assign(new Error('too large'), { type: 'entity.too.large', limit: 100 });
    expect(new LogPayloadProcessor({ verbosity: 'MINIMAL' }).normalizeError(e)).toEqual({
      type: 'Error',
      message: 'too large',
      limit: 100,
      fields: { type: 'entity.too.large' },
    });
  });

  it('MvxError is its own provider and keeps its stack and cause', () => {
    const err = new MvxConfigError('maxItems', 'must be positive', { cause: new Error('parse failed') });
    const out = p.normalizeError(err) as ErrorPayload;
    expect(out).toMatchObject({
      type: 'MvxConfigError',
      code: 'MVX_CONFIG',
      message: "invalid option 'maxItems': must be positive",
      details: { option: 'maxItems' },
      cause: { type: 'Error', message: 'parse failed' },
    });
    expect(out.stack).toMatch(/^MvxConfigError: /);
  });

  it('errors inside payloads use the same shape', () => {
    const out = p.normalizePayload({ err: new RangeError('r') }) as { err: ErrorPayload };
    expect(out.err).toMatchObject({ type: 'RangeError', message: 'r' });
  });

  it('a throwing message getter or hostile error does not throw', () => {
    const e = new Error('x');
    Object.defineProperty(e, 'message', {
      get() {
        throw new Error('no message');
      },
    });
    expect(p.normalizeError(e)).toMatchObject({ type: 'Error', message: '[Unreadable: Error]' });
    const proxied = new Proxy(new Error('p'), {
      get() {
        throw new Error('trap');
      },
    });
    expect(JSON.parse(JSON.stringify(p.normalizeError(proxied)))).toBeTruthy();
  });

  it('a value that is not an error gives { type, value }', () => {
    expect(p.normalizeError('boom')).toEqual({ type: 'string', value: 'boom' });
    expect(p.normalizeError(undefined)).toEqual({ type: 'undefined', value: null });
    expect(p.normalizeError({ reason: 'x' })).toEqual({ type: 'Object', value: { reason: 'x' } });
  });
});

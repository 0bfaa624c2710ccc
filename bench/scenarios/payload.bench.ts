/**
 * Payload normalisation: what the default `LogPayloadProcessor` costs per event. No issue target;
 * the comparisons are informational (maxRatio 3 is stated as "informational", not a goal).
 *
 * Cases:
 * - `typical`: `normalizePayload({ a: 1, b: 'x', nested: { c: [1, 2, 3] } })` vs `JSON.stringify`
 *   of the same object: the floor (JSON.stringify bounds nothing, redacts nothing, throws on cycles
 *   and BigInt), not a target.
 * - `typical + stringify` vs pino: normalise and serialise, against `pino.info(obj)` into a
 *   discarding stream (pino's whole line: its serialisation of the object plus time, level, pid,
 *   hostname). The closest like-for-like figure a user sees.
 * - `error`: `normalizeError(new Error(...))` (NORMAL verbosity: stack of 10 frames) vs pino's
 *   `pino.stdSerializers.err`.
 * - `wide`: a 40-key object with nested arrays and a Date, vs `JSON.stringify`.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogPayloadProcessor } from '../../src/core/logger/payload/log-payload-processor.ts';
import { emitComparison, opNs } from '../harness.ts';

const processor = new LogPayloadProcessor();
const typical = { a: 1, b: 'x', nested: { c: [1, 2, 3] } };
const err = new Error('connection refused', { cause: new Error('ECONNREFUSED') });
const wide: Record<string, unknown> = {};
for (let i = 0; i < 40; i++) wide[`field${i}`] = i % 3 === 0 ? [i, `v${i}`, { k: i }] : i % 3 === 1 ? `value ${i}` : i;
wide.when = new Date(0);

const discard = new Writable({
  write(_chunk, _enc, cb) {
    cb();
  },
});
const logger = pino({ level: 'info' }, discard);

// Sanity: the outputs are what they claim.
if (JSON.stringify(processor.normalizePayload(typical)) !== JSON.stringify(typical)) throw new Error('typical payload changed');
if (processor.normalizeError(err).type !== 'Error') throw new Error('error payload has no type');

const INFO = 'informational: no issue target';
const row = (c: string, subject: string, value: number) => ({ scenario: 'payload', case: c, subject, mode: 'op' as const, value });

const mvxTypical = await opNs(() => processor.normalizePayload(typical));
const jsonTypical = await opNs(() => JSON.stringify(typical));
emitComparison({
  scenario: 'payload',
  case: 'typical: normalizePayload vs JSON.stringify (floor)',
  mvx: row('typical', 'mvx-common', mvxTypical),
  peer: row('typical', 'JSON.stringify', jsonTypical),
  maxRatio: 3,
  target: INFO,
});

const mvxLine = await opNs(() => JSON.stringify(processor.normalizePayload(typical)));
const pinoLine = await opNs(() => logger.info(typical));
emitComparison({
  scenario: 'payload',
  case: 'typical: normalizePayload + JSON.stringify vs pino.info(obj) into a discarding stream',
  mvx: row('typical + stringify', 'mvx-common', mvxLine),
  peer: row('typical + stringify', 'pino', pinoLine),
  maxRatio: 3,
  target: INFO,
});

const mvxError = await opNs(() => processor.normalizeError(err));
const pinoError = await opNs(() => pino.stdSerializers.err(err));
emitComparison({
  scenario: 'payload',
  case: 'error with a cause: normalizeError vs pino.stdSerializers.err',
  mvx: row('error', 'mvx-common', mvxError),
  peer: row('error', 'pino', pinoError),
  maxRatio: 3,
  target: INFO,
});

const mvxWide = await opNs(() => processor.normalizePayload(wide));
const jsonWide = await opNs(() => JSON.stringify(wide));
emitComparison({
  scenario: 'payload',
  case: 'wide (41 keys, nested): normalizePayload vs JSON.stringify (floor)',
  mvx: row('wide', 'mvx-common', mvxWide),
  peer: row('wide', 'JSON.stringify', jsonWide),
  maxRatio: 3,
  target: INFO,
});

import { describe, expect, it } from 'vitest';
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkMilliseconds,
  checkNumber,
  checkObjectWith,
  checkOneOf,
  checkOptionsObject,
  checkString,
  describeValue,
} from '../../../src/core/config/option-checks.ts';
import { MvxConfigError } from '../../../src/core/errors.ts';

function configError(fn: () => unknown): MvxConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MvxConfigError);
    return error as MvxConfigError;
  }
  throw new Error('expected an MvxConfigError');
}

describe('option checks', () => {
  it('return the value, or the default for undefined', () => {
    expect(checkInteger('n', 5, { min: 1, max: 10 })).toBe(5);
    expect(checkInteger('n', undefined, { min: 1, max: 10, default: 3 })).toBe(3);
    expect(checkNumber('x', 0.5, { max: 1 })).toBe(0.5);
    expect(checkMilliseconds('t', undefined, { default: 250 })).toBe(250);
    expect(checkBoolean('b', undefined, true)).toBe(true);
    expect(checkOneOf('mode', undefined, ['a', 'b'], 'b')).toBe('b');
    expect(checkString('s', undefined, { default: '' })).toBe('');
    expect(checkFunction('f', undefined)).toBeUndefined();
    expect(checkOptionsObject(undefined)).toEqual({});
  });

  it('throw MvxConfigError naming the option, what is valid and what was given', () => {
    const e = configError(() => checkInteger('maxQueueSize', 1.5, { min: 1, max: 10 }));
    expect(e.option).toBe('maxQueueSize');
    expect(e.message).toBe("invalid option 'maxQueueSize': must be an integer from 1 to 10, got number 1.5");
    expect(configError(() => checkOneOf('mode', 'fast', ['a', 'b'])).message).toBe("invalid option 'mode': must be one of 'a', 'b', got \"fast\"");
    expect(configError(() => checkBoolean('closeClient', 'yes')).option).toBe('closeClient');
    expect(configError(() => checkString('prefix', 'bad-prefix', { pattern: { regex: /^[a-z_]*$/, text: 'a name prefix ([a-z_]*)' } })).message).toContain('a name prefix');
    expect(configError(() => checkString('name', '', { nonEmpty: true })).message).toContain('non-empty');
    expect(configError(() => checkFunction('onDrop', 3)).option).toBe('onDrop');
    expect(configError(() => checkNumber('ratio', Number.NaN)).option).toBe('ratio');
    expect(configError(() => checkOptionsObject(42 as never)).option).toBe('options');
  });

  it('milliseconds are bounded by what Node timers take: a larger delay would fire at once', () => {
    expect(checkMilliseconds('t', 2_147_483_647)).toBe(2_147_483_647);
    expect(configError(() => checkMilliseconds('t', 2_147_483_648)).option).toBe('t');
    expect(configError(() => checkMilliseconds('t', -1)).option).toBe('t');
    expect(configError(() => checkMilliseconds('t', Infinity)).option).toBe('t');
  });

  it('duck-typed objects: names the missing methods', () => {
    const registry = { registerMetric() {}, getSingleMetric() {} };
    expect(checkObjectWith('registry', registry, ['registerMetric', 'getSingleMetric'], 'a prom-client Registry')).toBe(registry);
    expect(configError(() => checkObjectWith('registry', { registerMetric() {} }, ['registerMetric', 'getSingleMetric'], 'a prom-client Registry')).message).toBe(
      "invalid option 'registry': must be a prom-client Registry; it has no getSingleMetric()",
    );
    expect(configError(() => checkObjectWith('registry', null, ['registerMetric'], 'a prom-client Registry')).message).toBe(
      "invalid option 'registry': must be a prom-client Registry (an object with registerMetric()), got null",
    );
  });

  it('describeValue keeps messages short', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(() => 1)).toBe('a function');
  });
});

// The payload processor's type-specific serializers were called "adapters", the word for backend
// adapters. New names: `serializers` option, setSerializer/removeSerializer, LogValueSerializer &
// co.; the old ones stay as deprecated aliases for one release and behave the same.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LogPayloadProcessor, MvxConfigError } from '../../../../src/index.ts';
import type {
  LogAdapter,
  LogAdapterClass,
  LogAdapterResolver,
  LogSerializerClass,
  LogSerializerResolver,
  LogValueSerializer,
} from '../../../../src/index.ts';

class Money {
  readonly cents: number;
  readonly currency: string;
  constructor(cents: number, currency: string) {
    this.cents = cents;
    this.currency = currency;
  }
}
class Euro extends Money {}

const asText = (m: Money): string => `${(m.cents / 100).toFixed(2)} ${m.currency}`;

describe('payload serializers', () => {
  it('the serializers option registers by class, most specific first', () => {
    const p = new LogPayloadProcessor({ serializers: [[Money, asText], [Euro, () => 'euro']] });
    expect(p.normalizePayload({ price: new Money(1250, 'USD'), fee: new Euro(5, 'EUR') })).toEqual({ price: '12.50 USD', fee: 'euro' });
  });

  it('setSerializer / removeSerializer change the registry for later calls', () => {
    const p = new LogPayloadProcessor();
    p.setSerializer(Money, asText);
    expect(p.normalizeValueForLog(new Money(100, 'CHF'))).toBe('1.00 CHF');
    expect(p.removeSerializer(Money)).toBe(true);
    expect(p.removeSerializer(Money)).toBe(false);
    expect(p.normalizeValueForLog(new Money(100, 'CHF'))).toEqual({ cents: 100, currency: 'CHF' });
  });

  it('the deprecated adapters option and setAdapter/removeAdapter act on the same registry', () => {
    const viaOld = new LogPayloadProcessor({ adapters: [[Money, asText]] });
    expect(viaOld.normalizeValueForLog(new Money(1, 'EUR'))).toBe('0.01 EUR');
    expect(viaOld.removeSerializer(Money)).toBe(true);
    viaOld.setAdapter(Money, () => 'old name');
    expect(viaOld.normalizeValueForLog(new Money(1, 'EUR'))).toBe('old name');
    expect(viaOld.removeAdapter(Money)).toBe(true);
    expect(viaOld.removeAdapter(Money)).toBe(false);
  });

  it('configuration errors name the option as given: serializers, adapters, serializer or adapter', () => {
    expect(() => new LogPayloadProcessor({ serializers: [[Money, 'x' as never]] })).toThrow(/serializers\[0\]\[1\]/);
    expect(() => new LogPayloadProcessor({ adapters: [[Money, 'x' as never]] })).toThrow(/adapters\[0\]\[1\]/);
    expect(() => new LogPayloadProcessor({ serializers: 5 as never })).toThrow(/serializers.*Map or an iterable/);
    const p = new LogPayloadProcessor();
    expect(() => p.setSerializer({} as never, asText)).toThrow(/serializer\[0\]/);
    expect(() => p.setAdapter(Money, null as never)).toThrow(/adapter\[1\]/);
  });

  it('giving both serializers and its deprecated name adapters is a configuration error', () => {
    let err: unknown;
    try {
      new LogPayloadProcessor({ serializers: [[Money, asText]], adapters: [[Euro, asText]] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MvxConfigError);
    expect((err as MvxConfigError).message).toMatch(/adapters.*deprecated name of 'serializers'/);
  });

  it('the deprecated type names are the new types', () => {
    expectTypeOf<LogAdapter>().toEqualTypeOf<LogValueSerializer>();
    expectTypeOf<LogAdapterResolver>().toEqualTypeOf<LogSerializerResolver>();
    expectTypeOf<LogAdapterClass>().toEqualTypeOf<LogSerializerClass>();
  });
});

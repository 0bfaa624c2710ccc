// Regression (npm run test:fuzz, 'secret leaked' after 47,140 runs): past the provider-chain limit
// (3 hops) a value with a registered serializer was walked by the built-in rules, so the fields its
// serializer exists to hide reached the output. Past the limit, a value whose representation is
// given by a provider, a serializer or toJSON is now a marker, never its raw fields.
import { describe, expect, it } from 'vitest';
import { LogPayloadProcessor } from '../../../../src/index.ts';

class Vault {
  readonly label = 'vault';
  readonly inner: string;
  constructor(inner: string) {
    this.inner = inner;
  }
}
class Credentials {
  readonly user = 'ann';
  readonly material = 'hunter2-material';
  toJSON(): unknown {
    return { user: this.user };
  }
}

const provide = (v: unknown): unknown => ({ toLogPayload: () => v });
const SECRET = 'top-secret-value';

describe('the provider chain limit', () => {
  it('a serialized value three providers deep is a marker, not its raw fields', () => {
    const p = new LogPayloadProcessor({ serializers: [[Vault, (v: Vault) => ({ label: v.label })]] });
    expect(p.normalizeValueForLog(provide(provide(new Vault(SECRET))))).toEqual({ label: 'vault' });
    const out = p.normalizeValueForLog(provide(provide(provide(new Vault(SECRET)))));
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toBe('[Vault: provider chain limit]');
  });

  it('the same for a provider and for toJSON past the limit', () => {
    const p = new LogPayloadProcessor();
    const deepProvider = provide(provide(provide({ toLogPayload: () => ({ shown: 1 }), hidden: SECRET })));
    expect(p.normalizeValueForLog(deepProvider)).toBe('[Object: provider chain limit]');
    const deepJson = provide(provide(provide(new Credentials())));
    const out = p.normalizeValueForLog(deepJson);
    expect(JSON.stringify(out)).not.toContain('hunter2-material');
    expect(out).toBe('[Credentials: provider chain limit]');
  });

  it('plain values and dates past the limit are still shown', () => {
    const p = new LogPayloadProcessor();
    const when = new Date(0);
    expect(p.normalizeValueForLog(provide(provide(provide({ at: when, n: 1 }))))).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  PatternLogEventPolicy,
  PatternLogEventPolicyAction,
  parsePatternLogEventPolicyConfig,
} from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';
import type { LogEventMeta } from '../../../../src/core/logger/event.ts';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { compileGlobs, globToRegExpSource } from '../../../../src/core/logger/policy/glob.ts';
import fc from 'fast-check';
import { configError } from './config-error.ts';

const meta = (m: Partial<LogEventMeta> & { name: string }): LogEventMeta => ({ namespace: '', ...m });
const full: LogEventMeta = {
  namespace: 'app.db',
  name: 'query',
  entityId: 'conn-7',
  source: { filePath: 'src/db/pool/query.ts', line: 10, functionName: 'Pool.query' },
};

describe('parsing (3.3 a, b)', () => {
  it('a1: action values', () => {
    expect(PatternLogEventPolicyAction).toEqual({ ALLOW: 'allow', DENY: 'deny' });
  });

  it('a2/a4: an empty config (or rules null) is default-enabled with no rules', () => {
    expect(parsePatternLogEventPolicyConfig({})).toEqual({ defaultEnabled: true, rules: [] });
    expect(parsePatternLogEventPolicyConfig({ rules: null })).toEqual({ defaultEnabled: true, rules: [] });
    expect(new PatternLogEventPolicy().isEnabled(full, 10)).toBe(true);
  });

  it('a3/b1/b2/b4: parses every field, trims action and patterns, keeps deny', () => {
    const parsed = parsePatternLogEventPolicyConfig({
      defaultEnabled: false,
      rules: [
        {
          action: ' deny ',
          events: [' a.b '],
          namespaces: ['n'],
          names: ['x'],
          entityIds: ['e'],
          sourcePaths: ['p'],
          sourceFunctions: ['f'],
          outcomes: ['failed'],
          minLevel: 'info',
          maxLevel: 40,
        },
      ],
    });
    expect(parsed).toEqual({
      defaultEnabled: false,
      rules: [
        {
          action: 'deny',
          events: ['a.b'],
          namespaces: ['n'],
          names: ['x'],
          entityIds: ['e'],
          sourcePaths: ['p'],
          sourceFunctions: ['f'],
          outcomes: ['failed'],
          minLevel: 20,
          maxLevel: 40,
        },
      ],
    });
  });

  it('b3: null pattern fields are empty (do not constrain)', () => {
    const p = PatternLogEventPolicy.fromConfig({ defaultEnabled: false, rules: [{ action: 'allow', events: null, names: null }] });
    expect(p.isEnabled(full, 20)).toBe(true);
  });

  it('the normalised config is exposed and serialisable', () => {
    const p = new PatternLogEventPolicy({ rules: [{ action: 'allow', names: ['x'], minLevel: 'DEBUG' }] });
    expect(JSON.parse(JSON.stringify(p))).toEqual({ defaultEnabled: true, rules: [{ action: 'allow', names: ['x'], minLevel: 10 }] });
    expect(Object.isFrozen(p.config)).toBe(true);
  });
});

describe('strict validation names the path (3.3 c, d)', () => {
  it('e1/c: a non-object config is rejected', () => {
    for (const bad of [null, 'x', 1, [], true]) expect(configError(bad).option).toBe('config');
  });

  it('c1: defaultEnabled must be a boolean (no coercion)', () => {
    for (const bad of ['true', 1, 0, [], {}]) expect(configError({ defaultEnabled: bad }).option).toBe('defaultEnabled');
  });

  it('c2/c3: rules must be an array of objects', () => {
    for (const bad of ['rules', 1, true, {}]) expect(configError({ rules: bad }).option).toBe('rules');
    for (const bad of [1, 'x', [], null]) expect(configError({ rules: [{ action: 'allow' }, bad] }).option).toBe('rules[1]');
  });

  it('d1/d2: action is required and must be allow or deny', () => {
    for (const bad of [undefined, null, 1, true]) expect(configError({ rules: [{ action: bad }] }).option).toBe('rules[0].action');
    for (const bad of ['', '  ', 'permit', 'ALLOW']) {
      const err = configError({ rules: [{ action: bad }] });
      expect(err.option).toBe('rules[0].action');
      expect(err.message).toContain("'allow' or 'deny'");
    }
  });

  it('d3: a pattern group must be an array (each group)', () => {
    for (const group of ['events', 'namespaces', 'names', 'entityIds', 'sourcePaths', 'sourceFunctions', 'outcomes']) {
      for (const bad of ['a.*', 1, true, {}]) {
        expect(configError({ rules: [{ action: 'allow' }, { action: 'deny', [group]: bad }] }).option).toBe(`rules[1].${group}`);
      }
    }
  });

  it('d4/d5: items must be non-empty strings, and the error names the item', () => {
    expect(configError({ rules: [{ action: 'allow' }, { action: 'allow' }, { action: 'deny', events: ['ok', 3] }] }).option).toBe(
      'rules[2].events[1]',
    );
    const blank = configError({ rules: [{ action: 'allow', names: ['a', '  '] }] });
    expect(blank.option).toBe('rules[0].names[1]');
    expect(blank.message).toContain('empty');
  });

  it('unknown keys are rejected; the reference snake_case keys get a camelCase hint', () => {
    expect(configError({ rules: [], verbose: true }).option).toBe('verbose');
    const snake = configError({ rules: [{ action: 'allow', event_namespaces: ['a'] }] });
    expect(snake.option).toBe('rules[0].event_namespaces');
    expect(snake.message).toContain("did you mean 'namespaces'");
    expect(configError({ default_enabled: false }).message).toContain("did you mean 'defaultEnabled'");
  });

  it('levels must be integers or names, and minLevel <= maxLevel', () => {
    expect(configError({ rules: [{ action: 'allow', minLevel: 'LOUD' }] }).option).toBe('rules[0].minLevel');
    expect(configError({ rules: [{ action: 'allow', maxLevel: 2.5 }] }).option).toBe('rules[0].maxLevel');
    expect(configError({ rules: [{ action: 'allow', minLevel: 'ERROR', maxLevel: 'INFO' }] }).option).toBe('rules[0].maxLevel');
  });

  it('an invalid character range is rejected naming the group', () => {
    expect(configError({ rules: [{ action: 'allow', names: ['[z-a]'] }] }).option).toBe('rules[0].names');
  });

  it('a throwing getter or a throwing Proxy anywhere in the config is an MvxConfigError naming the path, not a plain Error', () => {
    const boom = (): never => {
      throw new Error('hostile');
    };
    const getter = (obj: object, key: string): object => Object.defineProperty(obj, key, { enumerable: true, get: boom });
    const trap = (target: object, traps: ProxyHandler<object>): object => new Proxy(target, traps);
    const revoked = (): object => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    };
    const cases: [unknown, string][] = [
      [getter({}, 'defaultEnabled'), 'defaultEnabled'],
      [getter({}, 'rules'), 'rules'],
      [{ rules: [getter({}, 'action')] }, 'rules[0].action'],
      [{ rules: [{ action: 'allow' }, getter({ action: 'deny' }, 'events')] }, 'rules[1].events'],
      [{ rules: [getter({ action: 'deny' }, 'minLevel')] }, 'rules[0].minLevel'],
      [trap({}, { get: boom }), 'defaultEnabled'],
      [trap({}, { ownKeys: boom }), 'config'],
      [trap({}, { getPrototypeOf: boom }), 'config'],
      [revoked(), 'config'],
      [{ rules: trap([], { get: boom }) }, 'rules'],
      [{ rules: revoked() }, 'rules'],
      [{ rules: [trap({ action: 'allow' }, { ownKeys: boom })] }, 'rules[0]'],
      [{ rules: [revoked()] }, 'rules[0]'],
      [{ rules: [{ action: 'allow', names: trap(['a'], { get: boom }) }] }, 'rules[0].names'],
      [{ rules: [{ action: 'allow', names: getter(['a'], '1') }] }, 'rules[0].names[1]'],
    ];
    for (const [config, path] of cases) {
      const err = configError(config);
      expect(err.option, path).toBe(path);
      expect(err.message).toContain('could not be read');
      expect(err.cause).toBeInstanceOf(Error);
    }
  });

  it('the constructor validates typed configs the same way', () => {
    expect(() => new PatternLogEventPolicy({ rules: [{ action: 'allow', events: [''] }] })).toThrow(MvxConfigError);
  });
});

describe('matching (3.3 e-j)', () => {
  it('e2-e5: without rules or without a match, the default decides', () => {
    expect(new PatternLogEventPolicy({ defaultEnabled: false }).isEnabled(full, 20)).toBe(false);
    const p = new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', names: ['other'] }] });
    expect(p.isEnabled(full, 20)).toBe(false);
    const q = new PatternLogEventPolicy({ defaultEnabled: true, rules: [{ action: 'deny', names: ['other'] }] });
    expect(q.isEnabled(full, 20)).toBe(true);
  });

  it('f1-f3: the composed key namespace.name, just name in the root namespace, wildcards cross dots', () => {
    const p = new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', events: ['app.db.query', 'started', 'svc.*.done'] }] });
    expect(p.isEnabled(full, 20)).toBe(true);
    expect(p.isEnabled(meta({ name: 'started' }), 20)).toBe(true);
    expect(p.isEnabled(meta({ namespace: 'svc.a.b', name: 'done' }), 20)).toBe(true);
    expect(p.isEnabled(meta({ namespace: 'svc', name: 'done' }), 20)).toBe(false);
  });

  it('g1-g6: matches by namespace, name, entity id, source path (across /), source function', () => {
    const allow = (rule: Record<string, string[]>) =>
      new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', ...rule }] }).isEnabled(full, 20);
    expect(allow({ namespaces: ['app.*'] })).toBe(true);
    expect(allow({ names: ['q?ery'] })).toBe(true);
    expect(allow({ entityIds: ['conn-[0-9]'] })).toBe(true);
    expect(allow({ entityIds: ['conn-[!7]'] })).toBe(false);
    expect(allow({ sourcePaths: ['src/*.ts'] })).toBe(true);
    expect(allow({ sourceFunctions: ['Pool.*'] })).toBe(true);
    expect(allow({ namespaces: ['App.*'] })).toBe(false);
  });

  it('glob edge cases: literal dots and regex characters, unclosed [, [!] and []]', () => {
    const allow = (pattern: string, name: string) =>
      new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', names: [pattern] }] }).isEnabled(meta({ name }), 20);
    expect(allow('a.b', 'axb')).toBe(false);
    expect(allow('a+(b)', 'a+(b)')).toBe(true);
    expect(allow('a[', 'a[')).toBe(true);
    expect(allow('[]]x', ']x')).toBe(true);
    expect(allow('[!]]x', 'ax')).toBe(true);
    expect(allow('x*', 'x\nnewline')).toBe(true);
  });

  it('a pattern with several * against a long entity id from input decides at once (no catastrophic backtracking)', () => {
    // With the RegExp form (^[\s\S]*-[\s\S]*-...x$) this took 24 s for 800 characters and
    // grows as n^4: 5,000 would not finish before the test's time limit.
    const p = new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', entityIds: ['*-*-*-*-x', 'a*?[!b]*[0-9]*z'] }] });
    const decide = (entityId: string) => p.isEnabled({ namespace: 'app', name: 'req', entityId }, 20);
    expect(decide('-'.repeat(5_000))).toBe(false);
    expect(decide(`${'-'.repeat(5_000)}x`)).toBe(true);
    expect(decide(`a${'a'.repeat(5_000)}`)).toBe(false);
    expect(decide(`a${'1'.repeat(5_000)}z`)).toBe(true);
  });

  it('glob matching agrees with the fnmatch RegExp form on arbitrary short patterns and inputs', () => {
    const alphabet = ['a', 'b', '-', '.', '*', '?', '[', ']', '!', '0', '9', '\\', '^', '\n'];
    const pattern = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((cs) => cs.join(''));
    const input = fc.array(fc.constantFrom('a', 'b', '-', '.', '0', '9', ']', '[', '!', '\\', '^', '\n'), { maxLength: 10 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(pattern, input, (pat, value) => {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${globToRegExpSource(pat)})$`);
        } catch {
          expect(() => compileGlobs([pat])).toThrow(SyntaxError); // an invalid class fails both ways
          return;
        }
        expect(compileGlobs([pat]).test(value)).toBe(re.test(value));
      }),
      { numRuns: 3_000 },
    );
  });

  it('h1-h3: groups are AND-ed, patterns OR-ed, an empty rule matches everything', () => {
    const p = new PatternLogEventPolicy({
      defaultEnabled: false,
      rules: [{ action: 'allow', namespaces: ['nope', 'app.db'], names: ['query'], entityIds: ['conn-*'] }],
    });
    expect(p.isEnabled(full, 20)).toBe(true);
    const q = new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', namespaces: ['app.db'], names: ['other'] }] });
    expect(q.isEnabled(full, 20)).toBe(false);
    expect(new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow' }] }).isEnabled(full, 20)).toBe(true);
  });

  it('i1/i2: a group against a missing field never matches; an empty rule still matches bare metadata', () => {
    const bare = meta({ name: 'x' });
    for (const group of ['entityIds', 'sourcePaths', 'sourceFunctions', 'outcomes']) {
      const p = new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow', [group]: ['*'] }] });
      expect(p.isEnabled(bare, 20)).toBe(false);
    }
    expect(new PatternLogEventPolicy({ defaultEnabled: false, rules: [{ action: 'allow' }] }).isEnabled(bare, 20)).toBe(true);
  });

  it('j1/j2: the first matching rule wins', () => {
    const allowThenDeny = new PatternLogEventPolicy({ rules: [{ action: 'allow', names: ['query'] }, { action: 'deny' }] });
    expect(allowThenDeny.isEnabled(full, 20)).toBe(true);
    const denyThenAllow = new PatternLogEventPolicy({ rules: [{ action: 'deny', names: ['query'] }, { action: 'allow' }] });
    expect(denyThenAllow.isEnabled(full, 20)).toBe(false);
  });

  it('level bounds are inclusive and outcomes are matched (reference weakness 2 fixed)', () => {
    const p = new PatternLogEventPolicy({
      defaultEnabled: false,
      rules: [
        { action: 'allow', outcomes: ['failed', 'cancel*'] },
        { action: 'allow', namespaces: ['app.*'], minLevel: 'INFO', maxLevel: 'WARNING' },
      ],
    });
    expect(p.isEnabled(full, 10)).toBe(false);
    expect(p.isEnabled(full, 20)).toBe(true);
    expect(p.isEnabled(full, 30)).toBe(true);
    expect(p.isEnabled(full, 40)).toBe(false);
    expect(p.isEnabled(full, 40, 'failed')).toBe(true);
    expect(p.isEnabled(full, 10, 'cancelled')).toBe(true);
    expect(p.isEnabled(full, 10, 'success')).toBe(false);
  });
});

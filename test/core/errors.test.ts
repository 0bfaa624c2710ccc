import { describe, expect, it } from 'vitest';
import { MvxConfigError, MvxError, MvxErrorCode, MvxStateError, isMvxError } from '../../src/index.ts';

describe('MvxError', () => {
  it('carries a stable code, a cause and frozen details', () => {
    const cause = new Error('disk full');
    const err = new MvxError(MvxErrorCode.UNEXPECTED, 'boom', { cause, details: { id: 'a' } });
    expect(err.code).toBe('MVX_UNEXPECTED');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ id: 'a' });
    expect(Object.isFrozen(err.details)).toBe(true);
    expect(err.name).toBe('MvxError');
    expect(err).toBeInstanceOf(Error);
  });

  it('names the option in a configuration error', () => {
    const err = new MvxConfigError('rules[2].action', "must be one of 'allow', 'deny'");
    expect(err.message).toBe("invalid option 'rules[2].action': must be one of 'allow', 'deny'");
    expect(err.option).toBe('rules[2].action');
    expect(err.name).toBe('MvxConfigError');
    expect(isMvxError(err, MvxErrorCode.CONFIG)).toBe(true);
    expect(isMvxError(err, MvxErrorCode.TIMEOUT)).toBe(false);
  });

  it('a state error records the state', () => {
    const err = new MvxStateError('cannot emit after stop', 'stopped');
    expect(err.details).toEqual({ state: 'stopped' });
    expect(isMvxError(new Error('x'))).toBe(false);
    expect(err.toLogPayload()).toMatchObject({ type: 'MvxStateError', code: 'MVX_INVALID_STATE' });
  });
});

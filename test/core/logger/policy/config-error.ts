/** The `MvxConfigError` that `PatternLogEventPolicy.fromConfig(json)` throws (fails the test when it throws none, or another error). */
import { expect } from 'vitest';
import { MvxConfigError } from '../../../../src/core/errors.ts';
import { PatternLogEventPolicy } from '../../../../src/core/logger/policy/pattern-log-event-policy.ts';

export function configError(json: unknown): MvxConfigError {
  try {
    PatternLogEventPolicy.fromConfig(json);
  } catch (err) {
    expect(err).toBeInstanceOf(MvxConfigError);
    return err as MvxConfigError;
  }
  throw new Error('expected MvxConfigError');
}

/**
 * The checks of `LogContext` settings (constructor options, setters): each returns the value or
 * throws `MvxConfigError` naming the option. Internal.
 */
import { MvxConfigError } from '../../errors.ts';
import { parseLogLevel } from '../level.ts';
import type { LogPayloadProcessorLike } from '../payload-processor-like.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { isLogErrorHandlingMode } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';

export function checkSink(value: unknown, option: string): LogSink {
  if (value === null || typeof value !== 'object' || typeof (value as LogSink).log !== 'function') {
    throw new MvxConfigError(option, 'must be a LogSink (an object with a log(event) method); use reset to remove an override');
  }
  return value as LogSink;
}

export function checkPolicy(value: unknown, option: string): LogEventPolicy {
  if (value === null || typeof value !== 'object' || typeof (value as LogEventPolicy).isEnabled !== 'function') {
    throw new MvxConfigError(option, 'must be a LogEventPolicy (an object with isEnabled(meta, level, outcome)); use reset to remove an override');
  }
  return value as LogEventPolicy;
}

export function checkProcessor(value: unknown, option: string): LogPayloadProcessorLike {
  const p = value as LogPayloadProcessorLike;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof p.normalizePayload !== 'function' ||
    typeof p.normalizeValueForLog !== 'function' ||
    typeof p.getPlainVerbosityLevel !== 'function'
  ) {
    throw new MvxConfigError(
      option,
      'must be a LogPayloadProcessorLike (normalizePayload, normalizeValueForLog, getPlainVerbosityLevel); use reset to remove an override',
    );
  }
  return p;
}

export function checkErrorHandling(value: unknown, option: string): LogErrorHandlingMode {
  if (!isLogErrorHandlingMode(value)) {
    throw new MvxConfigError(option, `must be one of 'raise', 'print-stderr', 'ignore', got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

export function checkMinLevel(value: unknown, option: string): number {
  const level = parseLogLevel(value);
  if (level === undefined) {
    throw new MvxConfigError(option, `must be an integer or a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), got ${String(value)}`);
  }
  return level;
}

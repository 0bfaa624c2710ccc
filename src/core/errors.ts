/**
 * One error hierarchy for the logger, the metrics core and the adapters.
 *
 * Every error the library throws is an {@link MvxError} with a stable `code` (a string that never
 * changes between versions, safe to branch on) and, where there is one, an ES2022 `cause`.
 * Configuration mistakes throw {@link MvxConfigError} at once, naming the option.
 * Nothing on a hot path (logging, emitting, recording) throws: see `reportDiagnostic`.
 *
 * @module
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const MvxErrorCode = {
  /** An option given to a constructor, factory or `configure*` call is invalid. */
  CONFIG: 'MVX_CONFIG',
  /** A call is not valid in the component's current lifecycle state (e.g. `emit` after `stop`). */
  INVALID_STATE: 'MVX_INVALID_STATE',
  /** A bounded operation (`flush`, `shutdown`, `stop`) did not finish within its time-out. */
  TIMEOUT: 'MVX_TIMEOUT',
  /** A sink could not deliver an event and the context's error handling is `raise`. */
  UNABLE_TO_LOG: 'MVX_UNABLE_TO_LOG',
  /** The root log context cannot reset an inherited setting: it has no parent. */
  RESET_NOT_ALLOWED_FOR_ROOT: 'MVX_RESET_NOT_ALLOWED_FOR_ROOT',
  /** A name is already taken (a metric, a recorder id, a registered collector). */
  ALREADY_EXISTS: 'MVX_ALREADY_EXISTS',
  /** A name is not known (a recorder id). */
  NOT_FOUND: 'MVX_NOT_FOUND',
  /** A bounded queue was full; the value was dropped and counted. */
  QUEUE_OVERFLOW: 'MVX_QUEUE_OVERFLOW',
  /** A component failed to start. */
  STARTUP: 'MVX_STARTUP',
  /** A component failed to stop cleanly; its resources were released anyway. */
  SHUTDOWN: 'MVX_SHUTDOWN',
  /** A failure that is not one of the above; `cause` holds the original. */
  UNEXPECTED: 'MVX_UNEXPECTED',
} as const;

/** One of the {@link MvxErrorCode} values. */
export type MvxErrorCodeValue = (typeof MvxErrorCode)[keyof typeof MvxErrorCode];

/** Options shared by every {@link MvxError}. */
export interface MvxErrorOptions {
  /** The error that caused this one (ES2022 `cause`). */
  cause?: unknown;
  /** Structured, JSON-safe details: what was wrong, which state, which id. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error thrown by mvx-common.
 *
 * @example
 * ```ts
 * try { configureLogContext('a..b', {}) } catch (err) {
 *   if (isMvxError(err) && err.code === MvxErrorCode.CONFIG) console.error(err.message);
 * }
 * ```
 */
export class MvxError extends Error {
  /** Stable machine-readable code, one of {@link MvxErrorCode}. */
  readonly code: MvxErrorCodeValue;
  /** Structured details (JSON-safe); empty object when there are none. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: MvxErrorCodeValue, message: string, options: MvxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A JSON-safe representation used by the payload processor: `{ type, code, message, details }`. */
  toLogPayload(): Record<string, unknown> {
    return { type: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/**
 * A configuration error: thrown at once by a constructor, factory or `configure*` call.
 * The message names the option (as a path, e.g. `rules[2].action`) and says what would be valid.
 */
export class MvxConfigError extends MvxError {
  /** The option (path) that is invalid, e.g. `maxStringLength` or `rules[0].events[1]`. */
  readonly option: string;

  constructor(option: string, message: string, options: MvxErrorOptions = {}) {
    super(MvxErrorCode.CONFIG, `invalid option '${option}': ${message}`, {
      ...options,
      details: { option, ...(options.details ?? {}) },
    });
    this.option = option;
  }
}

/** A call that is not valid in the component's current state. `details.state` holds that state. */
export class MvxStateError extends MvxError {
  constructor(message: string, state: string, options: MvxErrorOptions = {}) {
    super(MvxErrorCode.INVALID_STATE, message, { ...options, details: { state, ...(options.details ?? {}) } });
  }
}

/** Type guard for {@link MvxError}; optionally checks the code. */
export function isMvxError(value: unknown, code?: MvxErrorCodeValue): value is MvxError {
  return value instanceof MvxError && (code === undefined || value.code === code);
}

/**
 * Errors of {@link MetricsRuntime}, in the shared hierarchy (`MvxError` with a stable `code`:
 * `MVX_ALREADY_EXISTS`, `MVX_NOT_FOUND`, `MVX_INVALID_STATE`, `MVX_STARTUP`, `MVX_SHUTDOWN`; the
 * reference's error classes they replace are listed in docs/metrics.md).
 */
import { MvxError } from '../../errors.ts';
import type { MvxErrorCodeValue, MvxErrorOptions } from '../../errors.ts';

/** An error of the metrics runtime; `recorderId` names the recorder concerned, when there is one. */
export class MetricsRuntimeError extends MvxError {
  /** The recorder id concerned, when the error is about one recorder. */
  readonly recorderId: string | undefined;

  constructor(code: MvxErrorCodeValue, message: string, options: MvxErrorOptions & { recorderId?: string } = {}) {
    super(code, message, {
      cause: options.cause,
      details: { ...(options.recorderId === undefined ? {} : { recorderId: options.recorderId }), ...(options.details ?? {}) },
    });
    this.recorderId = options.recorderId;
  }
}

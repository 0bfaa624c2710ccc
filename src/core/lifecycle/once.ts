/**
 * The library's one run-once lifecycle helper (like OpenTelemetry JS's `BindOnceFuture`): the
 * first call runs the operation, every later call gets the same promise. `shutdown()` of every
 * component is built on it, so "idempotent, the same promise on repeat" is written once.
 */

/**
 * Runs `operation` on the first {@link call} and hands every call the same promise. A synchronous
 * throw of `operation` becomes that promise's rejection (lifecycle operations built on it catch
 * their own errors and resolve with a report).
 *
 * @example
 * ```ts
 * class MySink {
 *   readonly #shutdown = new Once((options: LifecycleOptions) => this.#close(options));
 *   shutdown(options: LifecycleOptions = {}): Promise<LifecycleReport> {
 *     return this.#shutdown.call(options); // later options are ignored: the first call decides
 *   }
 * }
 * ```
 */
export class Once<A extends unknown[], T> {
  readonly #operation: (...args: A) => T | PromiseLike<T>;
  #promise: Promise<T> | undefined;

  constructor(operation: (...args: A) => T | PromiseLike<T>) {
    this.#operation = operation;
  }

  /** Whether {@link call} has been called. */
  get called(): boolean {
    return this.#promise !== undefined;
  }

  /** The promise of the first call, or `undefined` before it. */
  get promise(): Promise<T> | undefined {
    return this.#promise;
  }

  /** Runs the operation the first time; returns the first call's promise every time. */
  call(...args: A): Promise<T> {
    if (this.#promise === undefined) {
      try {
        this.#promise = Promise.resolve(this.#operation(...args));
      } catch (error) {
        this.#promise = Promise.reject(error);
      }
    }
    return this.#promise;
  }
}

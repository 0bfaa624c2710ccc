/**
 * The demo's lifecycle helpers: what it opened is closed in reverse order whatever happens, every
 * wait is bounded, and a signal stops the run in order instead of killing it.
 */
import { waitBounded } from 'mvx-common/adapter-kit';

/** Resolves after `ms`, or earlier when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Waits for `work` at most `ms`. Resolves `true` when it settled in time (rejections are
 * swallowed: the caller reads the outcome from its own counters), `false` when the bound ran out.
 * The library's bounded wait, holding the process until the bound: the demo awaits it as it ends.
 */
export async function bounded(work: Promise<unknown> | (() => Promise<unknown>), ms: number): Promise<boolean> {
  return (await waitBounded(work, { timeoutMs: ms, holdProcess: true })).status !== 'timeout';
}

/** What the demo opened, to close in reverse order. */
export class Resources {
  readonly #open: { name: string; close: () => Promise<void> }[] = [];

  /**
   * Registers something opened, with the function that closes it.
   * @returns a function that closes it now (at most once; later calls and `closeAll` reuse the same promise).
   */
  add(name: string, close: () => unknown): () => Promise<void> {
    let closing: Promise<void> | undefined;
    const once = (): Promise<void> => (closing ??= Promise.resolve().then(close).then(() => undefined));
    const entry = {
      name,
      close: () => {
        const i = this.#open.indexOf(entry);
        if (i >= 0) this.#open.splice(i, 1);
        return once();
      },
    };
    this.#open.push(entry);
    return entry.close;
  }

  /**
   * Closes everything still open, last opened first, each within `timeoutMs`.
   * @returns the names of what did not close in time.
   */
  async closeAll(timeoutMs: number): Promise<string[]> {
    const late: string[] = [];
    while (this.#open.length > 0) {
      const entry = this.#open.at(-1)!;
      if (!(await bounded(entry.close(), timeoutMs))) late.push(entry.name);
    }
    return late;
  }
}

/** Exit status of a run ended by a signal, as a shell reports it: 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Turns the first SIGINT/SIGTERM into an orderly stop (`signal` aborts with the signal's name)
 * and a second one into an immediate exit, so Ctrl-C twice always ends the process.
 * @returns the stop signal and a function that removes the handlers.
 */
export function onStopSignals(announce: (signal: NodeJS.Signals) => void): { signal: AbortSignal; received: () => NodeJS.Signals | undefined; remove: () => void } {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    if (received !== undefined) {
      process.stderr.write(`\n[demo] ${sig} again: exiting at once\n`);
      process.exit(SIGNAL_EXIT[received as keyof typeof SIGNAL_EXIT] ?? 1);
    }
    received = sig;
    announce(sig);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    remove: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

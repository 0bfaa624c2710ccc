/**
 * A host name lookup for hot-shots' UDP socket (`udpSocketOptions.lookup`, handed to
 * `dgram.createSocket`) that caches, shares, bounds and can be cancelled.
 *
 * Why: without `cacheDns`, hot-shots sends every datagram to the host *name*, and Node's dgram
 * resolves it with `getaddrinfo` each time. With a host that does not resolve, each lookup runs up
 * to the system resolver's time-out (about 20 s with no DNS server answering), one per datagram,
 * in libuv's four-thread pool; a lookup in flight keeps the process alive after `close()`, and its
 * failure arrives after the exporter stopped counting. This lookup resolves a name once per
 * `ttlMs` (one resolution in flight per name, shared by every datagram), answers waiting callers
 * within `timeoutMs`, and on `close()` fails every waiting caller at once (so each failed send is
 * reported while the exporter still counts) and cancels the resolution itself when the resolver
 * can be cancelled (a `dns.Resolver`, or a function honouring its `signal`).
 * @module
 */
import { Resolver, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { checkInteger, lifecycleReport, type DeliveryStats, type LifecycleReport } from '../../adapter-kit/index.ts';
import { MvxConfigError } from '../../index.ts';
import { asErrno, errno, resolveWith } from './lookup-resolvers.ts';

/** Your own resolver: resolve `hostname` for `family` (0 = either); stop when `signal` aborts. */
export type StatsdResolveFunction = (
  hostname: string,
  options: { readonly family: 0 | 4 | 6; readonly signal: AbortSignal },
) => Promise<{ address: string; family: 4 | 6 }>;

/** Options of {@link createStatsdLookup}. */
export interface StatsdLookupOptions {
  /**
   * How names are resolved:
   * - `'system'` (default): `dns.lookup`, i.e. `getaddrinfo` (`/etc/hosts`, search domains, as
   *   hot-shots and Node do). It cannot be cancelled: at `close()` its callers are answered at once,
   *   but Node still waits for a resolution in flight (at most one per name here) before the
   *   process exits, up to the system resolver's own time-out.
   * - a `dns.Resolver` (c-ares: the DNS servers of `/etc/resolv.conf` or those you set; no
   *   `/etc/hosts`, `localhost` answered locally): `close()` cancels it (`resolver.cancel()`), so
   *   nothing is left running. Give the lookup a resolver of its own.
   * - a {@link StatsdResolveFunction}: `close()` aborts its `signal`.
   * @default 'system'
   */
  readonly resolver?: 'system' | Resolver | StatsdResolveFunction;
  /** How long an answer is reused, in ms. @default 60000 (hot-shots' `cacheDnsTtl`) */
  readonly ttlMs?: number;
  /** How long a failure is answered without resolving again, in ms. @default 1000 */
  readonly failureTtlMs?: number;
  /** Callers waiting longer than this get an `ETIMEOUT` error, in ms. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * Counters of a {@link StatsdLookup}. The delivery counts are in lookup calls:
 * `accepted = delivered + dropped + failed + pending`.
 */
export interface StatsdLookupStats extends DeliveryStats {
  /** Lookup calls. */
  readonly accepted: number;
  /** Calls answered with an address. */
  readonly delivered: number;
  /** Calls answered with `ECANCELLED` (same as `cancelled`). */
  readonly dropped: number;
  /** Calls answered with an error (the name did not resolve, `ETIMEOUT`). */
  readonly failed: number;
  /** Calls waiting for an answer. */
  readonly pending: number;
  /** Resolutions started (IP addresses and cached answers need none). */
  readonly resolutions: number;
  /** Resolutions that failed. */
  readonly failures: number;
  /** Callers answered with `ETIMEOUT`. */
  readonly timeouts: number;
  /** Callers answered with `ECANCELLED` (waiting at `close()`, or calling after it). */
  readonly cancelled: number;
}

type Callback = (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;

/**
 * A lookup function for `udpSocketOptions.lookup` (dgram's signature; dgram passes the family as a
 * number), with a lifecycle. It also answers `{ all: true }` with an address list.
 */
export interface StatsdLookup {
  (hostname: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void;
  /**
   * Answers waiting callers with `ECANCELLED`, cancels what can be, refuses later calls. The work
   * is synchronous; idempotent (the same promise); never rejects.
   */
  shutdown(): Promise<StatsdLookupStats & LifecycleReport>;
  /** Nothing to deliver: resolves at once with the counters. */
  flush(): Promise<StatsdLookupStats & LifecycleReport>;
  /** @deprecated Use `shutdown()` (same effect, synchronous; kept for one release). */
  close(): void;
  stats(): StatsdLookupStats;
}

const BRAND = Symbol.for('mvx-common.statsd.lookup');
const MAX_NAMES = 64;

interface Waiter {
  readonly callback: Callback;
  readonly all: boolean;
}
interface NameState {
  readonly hostname: string;
  answer?: { address: string; family: 4 | 6; at: number };
  failure?: { error: NodeJS.ErrnoException; at: number };
  inFlight: boolean;
  waiters: Waiter[];
  timer?: NodeJS.Timeout;
}

/**
 * Makes a lookup for hot-shots' UDP socket: `new StatsD({ host, udpSocketOptions: { type: 'udp4',
 * lookup: createStatsdLookup() } })` (leave `cacheDns` off: hot-shots would resolve with
 * `dns.lookup` itself). A {@link StatsdExporter} finds it on the client and shuts it down in `shutdown()`.
 *
 * @throws MvxConfigError naming the option when one is invalid.
 * @example
 * ```ts
 * import { Resolver } from 'node:dns';
 * const lookup = createStatsdLookup({ resolver: new Resolver({ timeout: 2000, tries: 2 }) });
 * const client = new StatsD({ host: 'statsd.internal', maxBufferSize: 1432, udpSocketOptions: { type: 'udp4', lookup } });
 * ```
 */
export function createStatsdLookup(options: StatsdLookupOptions = {}): StatsdLookup {
  const resolver = options.resolver ?? 'system';
  if (resolver !== 'system' && !(resolver instanceof Resolver) && typeof resolver !== 'function') {
    throw new MvxConfigError('resolver', "expected 'system', a dns.Resolver or a function (hostname, { family, signal }) => Promise<{ address, family }>");
  }
  const ttlMs = ms('ttlMs', options.ttlMs, 60_000);
  const failureTtlMs = ms('failureTtlMs', options.failureTtlMs, 1_000);
  const timeoutMs = ms('timeoutMs', options.timeoutMs, 5_000);
  const abort = new AbortController();
  const names = new Map<string, NameState>();
  const counts = { resolutions: 0, failures: 0, timeouts: 0, cancelled: 0 };
  const calls = { accepted: 0, delivered: 0, failed: 0 };
  let closed = false;
  let shutdown: Promise<StatsdLookupStats & LifecycleReport> | undefined;
  // Every caller is answered through here, once: counted by how.
  const reply = (w: Waiter, error: NodeJS.ErrnoException | null, answer?: { address: string; family: 4 | 6 }): void => {
    if (error === null && answer !== undefined) calls.delivered++;
    else if (error?.code !== 'ECANCELLED') calls.failed++;
    answerCaller(w, error, answer);
  };

  const settle = (state: NameState, error: NodeJS.ErrnoException | null, answer?: { address: string; family: 4 | 6 }): void => {
    const waiters = state.waiters;
    state.waiters = [];
    clearTimeout(state.timer);
    state.timer = undefined;
    for (const w of waiters) reply(w, error, answer);
  };

  const resolve = (hostname: string, family: 0 | 4 | 6, state: NameState): void => {
    state.inFlight = true;
    counts.resolutions++;
    resolveWith(resolver, hostname, family, abort.signal).then(
      (answer) => {
        state.inFlight = false;
        if (closed) return;
        state.answer = { ...answer, at: Date.now() };
        state.failure = undefined;
        settle(state, null, answer);
      },
      (error: unknown) => {
        state.inFlight = false;
        if (closed) return;
        counts.failures++;
        const e = asErrno(error, hostname);
        state.failure = { error: e, at: Date.now() };
        settle(state, e);
      },
    );
  };

  const lookup = ((hostname: string, optionsArg: unknown, callbackArg?: Callback): void => {
    // Also called as lookup(hostname, callback), as dns.lookup may be.
    const callback = (typeof optionsArg === 'function' ? optionsArg : callbackArg) as Callback;
    const opts = typeof optionsArg === 'object' && optionsArg !== null ? (optionsArg as { family?: unknown; all?: unknown }) : {};
    const rawFamily = typeof optionsArg === 'number' ? optionsArg : opts.family;
    const family: 0 | 4 | 6 = rawFamily === 4 || rawFamily === 'IPv4' ? 4 : rawFamily === 6 || rawFamily === 'IPv6' ? 6 : 0;
    const waiter: Waiter = { callback, all: opts.all === true };
    calls.accepted++;
    if (closed) {
      counts.cancelled++;
      process.nextTick(reply, waiter, errno('ECANCELLED', `lookup ${hostname}: the StatsD lookup is closed`, hostname));
      return;
    }
    const ip = isIP(hostname);
    if (ip !== 0) return void process.nextTick(reply, waiter, null, { address: hostname, family: ip as 4 | 6 });
    if (hostname === 'localhost' && resolver !== 'system') {
      return void process.nextTick(reply, waiter, null, family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 });
    }
    const key = `${family}:${hostname}`;
    let state = names.get(key);
    if (state === undefined) {
      if (names.size >= MAX_NAMES) for (const [k, s] of names) if (!s.inFlight && s.waiters.length === 0) names.delete(k);
      state = { hostname, inFlight: false, waiters: [] };
      names.set(key, state);
    }
    const now = Date.now();
    if (state.answer !== undefined && now - state.answer.at < ttlMs) return void process.nextTick(reply, waiter, null, state.answer);
    if (state.failure !== undefined && now - state.failure.at < failureTtlMs) return void process.nextTick(reply, waiter, state.failure.error);
    state.waiters.push(waiter);
    if (state.timer === undefined) {
      const s = state;
      s.timer = setTimeout(() => {
        s.timer = undefined;
        counts.timeouts += s.waiters.length;
        const e = errno('ETIMEOUT', `lookup ${hostname}: no answer within ${timeoutMs} ms`, hostname);
        s.failure = { error: e, at: Date.now() };
        settle(s, e);
      }, timeoutMs);
      s.timer.unref();
    }
    // One resolution in flight per name: a slow one is waited for, never started again meanwhile.
    if (!state.inFlight) resolve(hostname, family, state);
  }) as StatsdLookup;

  const stats = (): StatsdLookupStats => {
    const { accepted, delivered, failed } = calls;
    return { accepted, delivered, dropped: counts.cancelled, failed, pending: accepted - delivered - failed - counts.cancelled, ...counts };
  };
  lookup.close = (): void => {
    if (closed) return;
    closed = true;
    abort.abort();
    if (resolver instanceof Resolver) resolver.cancel();
    for (const state of names.values()) {
      counts.cancelled += state.waiters.length;
      settle(state, errno('ECANCELLED', `lookup ${state.hostname}: cancelled by close()`, state.hostname));
    }
    names.clear();
  };
  lookup.stats = stats;
  lookup.flush = () => Promise.resolve(lifecycleReport(stats(), false));
  lookup.shutdown = () => {
    lookup.close();
    return (shutdown ??= Promise.resolve(lifecycleReport(stats(), false)));
  };
  Object.defineProperty(lookup, BRAND, { value: true });
  return lookup;
}

/** The {@link StatsdLookup} a hot-shots client was given in `udpSocketOptions.lookup`, if any. */
export function statsdLookupOf(client: unknown): StatsdLookup | undefined {
  const lookup = (client as { udpSocketOptions?: { lookup?: unknown } } | null)?.udpSocketOptions?.lookup;
  return typeof lookup === 'function' && (lookup as unknown as Record<symbol, unknown>)[BRAND] === true ? (lookup as StatsdLookup) : undefined;
}

function answerCaller(w: Waiter, error: NodeJS.ErrnoException | null, answer?: { address: string; family: 4 | 6 }): void {
  try {
    if (error !== null || answer === undefined) w.callback(error ?? errno('ENOTFOUND', 'no address', ''));
    else if (w.all) w.callback(null, [{ address: answer.address, family: answer.family }]);
    else w.callback(null, answer.address, answer.family);
  } catch {
    // A caller's callback that throws must not break the other callers (dgram's does not throw).
  }
}

function ms(option: string, value: unknown, dflt: number): number {
  return checkInteger(option, value, { min: 0, max: 2_147_483_647, default: dflt });
}

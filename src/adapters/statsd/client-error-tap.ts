/**
 * Catches what the user's hot-shots client reports about failed sends, without hiding it from them.
 *
 * hot-shots sends buffered datagrams later, from its own timer, and reports their failures only
 * through `client.errorHandler` (read at each failure). Without a handler it throws a cached DNS
 * error from the next send call and prints the rest. The tap sets the handler to a wrapper that
 * counts and reports the error, then calls the handler the client had; it also listens for the
 * socket's `error` events. `release()` puts everything back.
 */
import { isIP } from 'node:net';
import { reportDiagnostic } from '../../adapter-kit/index.ts';
import type { StatsdClientLike } from './client-like.ts';

type Listener = (error: unknown) => void;
interface EmitterLike {
  on?: unknown;
  removeListener?: unknown;
}

/** Wraps a client's `errorHandler` and listens on its socket until {@link release}. */
export class ClientErrorTap {
  /** Failures seen so far. */
  errors = 0;
  private readonly client: StatsdClientLike;
  private readonly component: string;
  private readonly original: ((error: Error) => void) | undefined;
  private readonly wrapper: (error: Error) => void;
  private readonly socketListener: Listener;
  private readonly socket: EmitterLike | undefined;

  constructor(client: StatsdClientLike, component: string) {
    this.client = client;
    this.component = component;
    this.original = client.errorHandler;
    this.wrapper = (error: Error) => this.report(error, true);
    client.errorHandler = this.wrapper;
    this.socketListener = (error: unknown) => this.report(error, false);
    const socket = client.socket as EmitterLike | undefined;
    if (socket !== null && typeof socket === 'object' && typeof socket.on === 'function') {
      this.socket = socket;
      (socket.on as (e: string, l: Listener) => void).call(socket, 'error', this.socketListener);
    }
  }

  /**
   * Counts and reports one failure. `passOn`: also call the client's original handler (not for
   * socket events, which reach that handler on their own when hot-shots attached it).
   */
  report(error: unknown, passOn: boolean): void {
    this.errors++;
    reportDiagnostic({
      component: this.component,
      code: 'statsd.send_failed',
      message: 'the StatsD client could not send',
      error,
      details: { code: (error as { code?: unknown } | null)?.code ?? null },
    });
    const original = this.original;
    if (!passOn || original === undefined) return;
    try {
      original.call(this.client, error as Error);
    } catch (handlerError) {
      reportDiagnostic({
        component: this.component,
        code: 'statsd.error_handler_threw',
        message: "the client's own errorHandler threw",
        error: handlerError,
      });
    }
  }

  /** Puts back the original handler (unless someone replaced ours since) and stops listening. */
  release(): void {
    if (this.client.errorHandler === this.wrapper) this.client.errorHandler = this.original;
    const socket = this.socket;
    if (socket !== undefined && typeof socket.removeListener === 'function') {
      (socket.removeListener as (e: string, l: Listener) => void).call(socket, 'error', this.socketListener);
    }
  }
}

/**
 * hot-shots resolves a UDP host name on every datagram unless `cacheDns` is set (hot-shots #198),
 * with `getaddrinfo`, which cannot be cancelled: reported once, where the fix is (at construction),
 * unless the client was given a `createStatsdLookup()` lookup (`withLookup`).
 */
export function checkDnsPerSend(client: StatsdClientLike, component: string, withLookup = false): void {
  const c = client as { host?: unknown; cacheDns?: unknown; protocol?: unknown; mock?: unknown };
  if (withLookup || typeof c.host !== 'string' || c.host === '' || isIP(c.host) !== 0) return;
  if (c.cacheDns === true || c.mock === true || (c.protocol !== undefined && c.protocol !== 'udp')) return;
  reportDiagnostic({
    component,
    code: 'statsd.dns_per_send',
    message:
      `the hot-shots client sends UDP to host name '${c.host}' without cacheDns: every datagram does a DNS lookup, and one still running at close() ` +
      'keeps the process alive; pass udpSocketOptions: { type: \'udp4\', lookup: createStatsdLookup() } (mvx-common/statsd), or use an IP address',
    details: { host: c.host },
  });
}

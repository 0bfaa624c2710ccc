/**
 * How the StatsD lookup resolves a name with each kind of resolver (`'system'`, a `dns.Resolver`,
 * a function honouring an `AbortSignal`), and the `errno`-style errors it answers with.
 */
import { lookup as systemLookup, Resolver } from 'node:dns';
import type { StatsdResolveFunction } from './statsd-lookup.ts';

/** Resolves `hostname` for `family` (0 = either) with `resolver`; `signal` aborts a function resolver. */
export function resolveWith(
  resolver: 'system' | Resolver | StatsdResolveFunction,
  hostname: string,
  family: 0 | 4 | 6,
  signal: AbortSignal,
): Promise<{ address: string; family: 4 | 6 }> {
  if (resolver === 'system') {
    return new Promise((ok, fail) =>
      systemLookup(hostname, { family }, (err, address, fam) => (err ? fail(err) : ok({ address, family: fam === 6 ? 6 : 4 }))),
    );
  }
  if (resolver instanceof Resolver) {
    const query = (f: 4 | 6): Promise<{ address: string; family: 4 | 6 }> =>
      new Promise((ok, fail) => {
        const done = (err: NodeJS.ErrnoException | null, addresses: string[]): void => {
          if (err) fail(err);
          else if (addresses.length === 0) fail(errno('ENODATA', `query ${hostname}: no address`, hostname));
          else ok({ address: addresses[0]!, family: f });
        };
        if (f === 4) resolver.resolve4(hostname, done);
        else resolver.resolve6(hostname, done);
      });
    return family === 6 ? query(6) : family === 4 ? query(4) : query(4).catch(() => query(6));
  }
  try {
    return Promise.resolve(resolver(hostname, { family, signal }));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

export function errno(code: string, message: string, hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, hostname, syscall: 'lookup' });
}

export function asErrno(error: unknown, hostname: string): NodeJS.ErrnoException {
  if (error instanceof Error) return error as NodeJS.ErrnoException;
  return errno('ENOTFOUND', `lookup ${hostname}: ${String(error)}`, hostname);
}

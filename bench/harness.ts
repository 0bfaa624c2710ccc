/**
 * Benchmark harness shared by every scenario in `bench/scenarios/`. Each scenario file is a
 * standalone script (run in its own process by `bench/run.ts`) that measures the project and its
 * peer side by side and prints its results with {@link emitComparison} / {@link emitRow}.
 *
 * Modes, after `../shared/reference/peer-baseline-node20.md`:
 * - `op`: the call alone in mitata's tight loop; only for calls that hand nothing to the event loop.
 * - `sustained`: one sample = K calls, then `setImmediate` yields until the library's backlog is
 *   under a bound, so deferred work (writes, timers, batches) is paid inside the measurement.
 * - `once`: one awaited call per sample (a whole scrape, a whole flush).
 *
 * Timed assertions never live in tests: targets are checked here, as ratios to a peer measured in
 * the same process run.
 */
import { measure } from 'mitata';

/** Mean ns per call of a synchronous function, in a tight loop. */
export async function opNs(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: Number(process.env.BENCH_MIN_CPU_MS ?? 400) * 1e6 });
  return stats.avg;
}

/** Options of {@link sustainedNs}. */
export interface SustainedOptions {
  /** Calls per sample before yielding to the event loop. Default `BENCH_K` or 100. */
  k?: number;
  /** The library's current backlog (events or bytes not yet delivered). Default: none. */
  backlog?: () => number;
  /** Keep yielding while `backlog()` is above this. Default 0. */
  maxBacklog?: number;
}

const yieldOnce = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Mean ns per call, sustained: K calls, then yield until the backlog drains below the bound. */
export async function sustainedNs(fn: (i: number) => unknown, options: SustainedOptions = {}): Promise<number> {
  const k = options.k ?? Number(process.env.BENCH_K ?? 100);
  const backlog = options.backlog;
  const bound = options.maxBacklog ?? 0;
  let i = 0;
  const stats = await measure(
    async () => {
      for (let j = 0; j < k; j++) fn(i++);
      await yieldOnce();
      if (backlog) {
        let spins = 0;
        while (backlog() > bound && spins++ < 100_000) await yieldOnce();
      }
    },
    { min_cpu_time: Number(process.env.BENCH_MIN_CPU_MS ?? 600) * 1e6 },
  );
  return stats.avg / k;
}

/** Wall time and CPU time per call of one measurement. */
export interface Timing {
  /** Wall time per call, ns (the statistic the measuring function names). */
  ns: number;
  /**
   * CPU time per call, ns: the process's CPU time (user + system, every thread: libuv's pool
   * included) over the measurement, in proportion to its wall time, times `ns`. Unlike wall time it
   * does not count the time the process waited for a core (2 shared cores here).
   */
  cpuNs: number;
}

/** Runs `measureFn` and scales its per-call wall time `ns` by the process's CPU time over the wall time. */
async function withCpu(measureFn: () => Promise<number>): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ns = await measureFn();
  const wallUs = (performance.now() - t0) * 1000;
  const cpu = process.cpuUsage(cpu0);
  return { ns, cpuNs: ns * ((cpu.user + cpu.system) / wallUs) };
}

/**
 * {@link opNs} as the median of mitata's samples, with CPU time: for calls of a few ns on a shared
 * machine, where one descheduling or a GC in a sample moves the mean by tens of ns.
 */
export async function opTiming(fn: () => unknown): Promise<Timing> {
  // mitata batches calls (4096 per sample) only when one of its first calls is fast; a first call
  // descheduled for more than 0.5 ms (a loaded machine) made it time single calls, whose median is
  // then the clock's resolution (~40 ns) rather than the call. More tries, and no early give-up.
  const options = { min_cpu_time: Number(process.env.BENCH_MIN_CPU_MS ?? 400) * 1e6, warmup_threshold: Infinity, warmup_samples: 16 };
  return withCpu(async () => (await measure(fn, options)).p50);
}

/** {@link sustainedNs} (mean per call) with CPU time: the delivery's threads are counted too. */
export async function sustainedTiming(fn: (i: number) => unknown, options: SustainedOptions = {}): Promise<Timing> {
  return withCpu(() => sustainedNs(fn, options));
}

/** Mean ns per awaited call. */
export async function onceNs(fn: () => Promise<unknown>): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: Number(process.env.BENCH_MIN_CPU_MS ?? 600) * 1e6 });
  return stats.avg;
}

/** One measured row. */
export interface BenchRow {
  scenario: string;
  case: string;
  /** `mvx-common` or the peer's name (`pino`, `prom-client`, ...). */
  subject: string;
  mode: 'op' | 'sustained' | 'once' | 'count';
  /** ns per operation (or the count, for `count` rows). */
  value: number;
  /** CPU time per operation, ns, when measured (see {@link Timing}). */
  cpuNs?: number;
  unit?: string;
}

/** A project/peer comparison with its target ratio. */
export interface BenchComparison {
  scenario: string;
  case: string;
  mvx: BenchRow;
  peer: BenchRow;
  /** The target, as a maximum ratio mvx/peer (e.g. 1.2, 0.5). */
  maxRatio: number;
  /** How the target is stated in the issue, e.g. "at most 1.2x prom-client register.metrics()". */
  target: string;
  /**
   * Measurement floor in ns: when both sides measure at or below it, the calls compiled to nothing
   * (an empty benchmark loop costs about 0.1 ns here) and their ratio is noise, so the row is a tie
   * and counts as met. Only for `op` rows comparing calls that can vanish entirely.
   */
  floorNs?: number;
}

/** Prints one row as a `BENCH_ROW` JSON line (collected by `bench/run.ts`). */
export function emitRow(row: BenchRow): void {
  process.stdout.write(`BENCH_ROW ${JSON.stringify(row)}\n`);
}

/** Prints a comparison as a `BENCH_CMP` JSON line (collected by `bench/run.ts`). */
export function emitComparison(cmp: BenchComparison): void {
  emitRow(cmp.mvx);
  emitRow(cmp.peer);
  const ratio = cmp.mvx.value / cmp.peer.value;
  const tie = cmp.floorNs !== undefined && cmp.mvx.value <= cmp.floorNs && cmp.peer.value <= cmp.floorNs;
  const met = ratio <= cmp.maxRatio || tie;
  process.stdout.write(`BENCH_CMP ${JSON.stringify({ ...cmp, ratio, met, tie })}\n`);
}

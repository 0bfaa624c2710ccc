/**
 * How many cases a property test runs and how long it may take: every property that scales with
 * `MVX_FUZZ_RUNS` (`npm run test:fuzz` sets 100,000) uses these two, so none keeps vitest's 30 s
 * default while running a hundred thousand cases.
 */

/** Number of runs: `MVX_FUZZ_RUNS` or the given default. */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(process.env.MVX_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/**
 * Time-out of a property test running `runs` cases: vitest's 30 s default plus 5 ms a case, so the
 * 100,000-case runs of `npm run test:fuzz` get about 9 minutes (about half a minute per property when
 * the machine is idle; a shared machine under load has been measured 2.5× slower). Every property
 * that scales with `MVX_FUZZ_RUNS` uses it.
 */
export function fuzzTimeout(runs: number): number {
  return 30_000 + runs * 5;
}

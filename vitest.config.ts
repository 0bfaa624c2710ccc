import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails a test that prints an unexpected `[mvx-common]` line on stderr (a clean run prints none).
    setupFiles: ['test/support/stderr-guard.ts'],
    // Real servers (Prometheus, StatsD, OTLP receivers) and worker threads start in some suites;
    // a machine with two cores is the norm here, so keep parallelism modest and time-outs generous.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});

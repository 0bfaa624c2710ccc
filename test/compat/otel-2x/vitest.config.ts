/**
 * `npm run test:otel-compat`: the OpenTelemetry adapter tests and the OTLP end-to-end tests again,
 * against the previous OTel JS line installed in this folder (`package.json` here: api 1.9,
 * api-logs / sdk-logs / exporters 0.223, SDK 2.12), instead of the current line of the root
 * `node_modules`. Every `@opentelemetry/*` import of the sources and the tests resolves here
 * (`resolve.alias`); child processes the tests start get the same mapping through a module
 * resolution hook (`NODE_OPTIONS=--import ./register-hook.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const packages = Object.keys((JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);

export default defineConfig({
  root,
  resolve: {
    // Whole names, subpaths included: '@opentelemetry/api' must not capture '@opentelemetry/api-logs'.
    alias: packages.map((name) => ({ find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}(?=/|$)`), replacement: join(here, 'node_modules', name) })),
  },
  test: {
    include: ['test/adapters/otel-*/**/*.test.ts', 'test/e2e/otlp*.test.ts', 'test/e2e/shutdown-no-loss.e2e.test.ts', 'test/compat/otel-2x/*.compat.ts'],
    env: { MVX_OTEL_LINE: 'previous', NODE_OPTIONS: `--import ${join(here, 'register-hook.ts')}` },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});

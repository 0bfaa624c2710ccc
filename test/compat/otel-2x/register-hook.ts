/**
 * Loaded with `--import` into the child processes of the compat run: resolves every
 * `@opentelemetry/*` package this folder installs from here, as `resolve.alias` does in vitest.
 */
import { register } from 'node:module';

register('./resolve-hook.ts', import.meta.url);

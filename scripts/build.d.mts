// Types of build.mjs (plain JavaScript so that `prepare` runs under any Node).
/** Why dist/ needs a build, or undefined when it is up to date. */
export function staleReason(dir?: string): string | undefined;
/** Runs tsc -p tsconfig.build.json (after removing dist/ with `clean`); throws when it fails. */
export function build(options?: { clean?: boolean; dir?: string }): void;
/** Builds when dist/ is stale; returns the reason (undefined: nothing to do). */
export function buildIfStale(dir?: string): string | undefined;

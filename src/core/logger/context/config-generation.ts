/**
 * A process-wide configuration generation: every `LogContext` setter or reset bumps it, and every
 * context compares its cached effective settings (and decision cache) against it. One integer
 * comparison on the hot path replaces walking the parent chain. Internal.
 */
export const configGeneration = { value: 0 };

let onBump: (() => void) | undefined;

/** Registers the one function run after every bump (`LogContext` restores its silenced helpers). Internal. */
export function setConfigGenerationHook(hook: () => void): void {
  onBump = hook;
}

/** Marks every cached effective setting and decision in every context as stale. */
export function bumpConfigGeneration(): void {
  configGeneration.value++;
  onBump?.();
}

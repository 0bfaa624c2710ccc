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

/** Listeners told after every bump (the log bridge propagates configuration changes to workers). */
const bumpListeners = new Set<() => void>();

/** Calls `listener` after every configuration change; returns the function that stops it. Internal. */
export function onConfigGenerationBump(listener: () => void): () => void {
  bumpListeners.add(listener);
  return () => bumpListeners.delete(listener);
}

/** Marks every cached effective setting and decision in every context as stale. */
export function bumpConfigGeneration(): void {
  configGeneration.value++;
  onBump?.();
  for (const listener of bumpListeners) listener();
}

/**
 * One `process.on('exit')` listener for the library's synchronous last words: summaries of
 * throttled stderr reports that are still pending (the diagnostics channel, the `print-stderr`
 * error handling) are printed there, since an unref'ed summary timer never fires in a process that
 * ends before it is due.
 *
 * Internal: not re-exported.
 */

const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const hook of [...hooks]) {
    hooks.delete(hook);
    try {
      hook();
    } catch {
      // Nothing may break the other hooks, or the exit itself.
    }
  }
}

/**
 * Runs `hook` synchronously when the process exits (`process.exit()`, the end of the event loop, an
 * uncaught exception), once. Returns a function that unregisters it (cheap; call it when the work
 * the hook would do is done). The listener is installed on first use.
 */
export function atExit(hook: () => void): () => void {
  if (!installed) {
    process.on('exit', runHooks);
    installed = true;
  }
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

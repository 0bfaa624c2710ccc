/**
 * Reloading a configuration without a restart (see `MvxSystem.reload` and `watch`).
 *
 * @module
 */
import { watch as watchPath } from 'node:fs';
import { basename, dirname } from 'node:path';
import { reportDiagnostic } from '../adapter-kit/index.ts';
import type { LogSinkCloseResult } from '../index.ts';
import { applyLogging } from './apply-logging.ts';
import type { AppliedLogging } from './apply-logging.ts';
import { ConfigDocumentError } from './errors.ts';
import { readConfigFile } from './read-file.ts';
import type { Parts } from './system.ts';
import type { MvxConfigDocument } from './types.ts';
import { validateConfig } from './validate.ts';

/** What a reload did. */
export interface ReloadResult {
  /** Whether the new document was applied. */
  readonly ok: boolean;
  /** Why nothing changed (`ok: false`): a `ConfigDocumentError` naming the path, or a read error. */
  readonly error?: unknown;
  /** Sinks added, replaced (another descriptor) and removed by the new document. */
  readonly sinks?: { readonly added: readonly string[]; readonly replaced: readonly string[]; readonly removed: readonly string[] };
  /** How the replaced and removed sinks closed (flushed first). */
  readonly closed: readonly LogSinkCloseResult[];
}

/** Options of `MvxSystem.watch`. */
export interface WatchOptions {
  /** Reload on this signal (e.g. `'SIGHUP'`). */
  signal?: NodeJS.Signals;
  /** Reload when the configuration file changes (needs a system built from a file). @default false */
  file?: boolean;
  /** Quiet time after a file change before reloading, in ms. @default 200 */
  debounceMs?: number;
  /** Called with each reload's result. */
  onReload?: (result: ReloadResult) => void;
}

const RESTART_ONLY = ['metrics', 'adapters', 'service'] as const;

/** Validates `document` (or reads the file again), then applies its logging half; `commit` records it. Never rejects. */
export async function reloadLogging(
  parts: Parts,
  document: unknown,
  commit: (doc: MvxConfigDocument, applied: AppliedLogging) => void,
): Promise<ReloadResult> {
  const file = parts.file;
  try {
    let raw = document;
    if (raw === undefined) {
      if (file === undefined) throw new ConfigDocumentError('(document)', 'reload() needs a document: this configuration was not read from a file');
      raw = await readConfigFile(file);
    }
    let doc: MvxConfigDocument;
    try {
      doc = validateConfig(raw);
    } catch (error) {
      throw error instanceof ConfigDocumentError && file !== undefined ? error.inFile(file) : error;
    }
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(doc[key]) !== JSON.stringify(parts.document[key])) {
        throw new ConfigDocumentError(key, 'changed: a reload applies sinks and contexts only; restart to change metrics, adapters or service', file === undefined ? {} : { file });
      }
    }
    const before = new Set(Object.keys(parts.document.sinks ?? {}));
    const applied = applyLogging(doc, parts.document, parts.applied.owned, parts.rootBefore, parts.adapterHandles, parts.env);
    commit(doc, applied);
    const closed = await applied.closing;
    const added = Object.keys(doc.sinks ?? {}).filter((n) => !before.has(n));
    return { ok: true, sinks: { added, replaced: applied.replaced, removed: applied.removed }, closed };
  } catch (error) {
    return { ok: false, error, closed: [] };
  }
}

function report(result: ReloadResult, onReload: ((r: ReloadResult) => void) | undefined): void {
  if (!result.ok) {
    reportDiagnostic({ component: 'config', code: 'config.reload_failed', message: `the configuration was not reloaded: ${(result.error as Error)?.message ?? String(result.error)}`, error: result.error });
  }
  try {
    onReload?.(result);
  } catch (error) {
    reportDiagnostic({ component: 'config', code: 'config.on_reload_failed', message: 'the onReload callback threw', error });
  }
}

/** Installs the triggers of `options`; returns the function that removes them. */
export function watchForReload(system: { reload(doc?: unknown): Promise<ReloadResult>; readonly file: string | undefined }, options: WatchOptions): () => void {
  const stops: (() => void)[] = [];
  const run = (): void => {
    void system.reload().then((r) => report(r, options.onReload));
  };
  if (options.signal !== undefined) {
    const signal = options.signal;
    process.on(signal, run);
    stops.push(() => process.off(signal, run));
  }
  if (options.file === true) {
    const file = system.file;
    if (file === undefined) throw new ConfigDocumentError('file', 'watching needs a configuration read from a file (configureFromFile)');
    let timer: NodeJS.Timeout | undefined;
    const debounce = options.debounceMs ?? 200;
    // The directory, not the file: editors save by writing a new file and renaming it over the old
    // one, after which a watch on the file itself goes quiet. `persistent: false`: watching never
    // holds the process open.
    const name = basename(file);
    const watcher = watchPath(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(run, debounce);
      timer.unref();
    });
    watcher.on('error', (error) => reportDiagnostic({ component: 'config', code: 'config.watch_failed', message: `cannot watch ${file}`, error }));
    stops.push(() => {
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
    });
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

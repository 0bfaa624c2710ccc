/**
 * The logging half of a document (sinks and contexts), applied on `configure()` and again on every
 * reload. Everything that can fail is built first (sink specifications, policies, processors);
 * the change itself is one synchronous block (named sinks created or replaced in place, context
 * settings set or reset), so no event is logged halfway: each event sees the old configuration or
 * the new one. Sinks that disappear or change are closed afterwards (flushed first), sinks that
 * stay equal are kept open.
 *
 * @module
 */
import { closeLogSink, configureLogContext, configureLogSink, getLogContext, getLogSink, getRootLogContext, parseLogLevel, replaceLogSink } from '../index.ts';
import type { LogContext, LogContextSettings, LogSink, LogSinkCloseResult } from '../index.ts';
import { buildPayloadProcessor, buildPolicy, underPath } from './components.ts';
import { ConfigDocumentError } from './errors.ts';
import type { AdapterHandles } from './adapters.ts';
import { childPath } from './schema-dsl.ts';
import { sinkSpec } from './sink-specs.ts';
import type { MvxConfigDocument } from './types.ts';
import { sinkBuildOrder } from './validate.ts';

/** The variable that sets the root's minimum level over the document's. */
export const LEVEL_ENV = 'MVX_LOG_LEVEL';

type RootSettings = ReturnType<LogContext['localSettings']>;

/** What applying a document did. */
export interface AppliedLogging {
  /** The document's sinks, by name. */
  readonly sinks: Map<string, LogSink>;
  /** Names of sinks created or replaced (owned by the configuration). */
  readonly owned: string[];
  /** Names of sinks removed. */
  readonly removed: string[];
  /** Names of sinks replaced by a new descriptor. */
  readonly replaced: string[];
  /** Closing the replaced and removed sinks (started after the switch). */
  readonly closing: Promise<LogSinkCloseResult[]>;
}

const KEYS = ['sink', 'minLevel', 'policy', 'payloadProcessor', 'errorHandling'] as const;

/** The root's minimum level from the environment, validated. */
export function envRootLevel(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[LEVEL_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  const level = /^\d+$/.test(text) ? Number(text) : parseLogLevel(text);
  if (level === undefined) throw new ConfigDocumentError(LEVEL_ENV, `${JSON.stringify(raw)} is not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL or a number)`);
  return level;
}

/**
 * Applies the sinks and contexts of `doc`. `previous` is the document applied before (a reload),
 * `rootBefore` the root's settings before the first configuration (restored for what a reload drops).
 * @throws ConfigDocumentError before anything changed; on a first configuration, a name already
 *   configured with another descriptor.
 */
export function applyLogging(
  doc: MvxConfigDocument,
  previous: MvxConfigDocument | undefined,
  owned: readonly string[],
  rootBefore: RootSettings,
  adapters: AdapterHandles,
  env: Readonly<Record<string, string | undefined>>,
): AppliedLogging {
  // 1. Everything that can fail, before any change.
  const rootLevel = envRootLevel(env);
  const contexts = new Map<string, LogContextSettings>();
  for (const [ns, ctx] of Object.entries(doc.contexts ?? {})) {
    const path = childPath('contexts', ns);
    contexts.set(ns, {
      ...(ctx.minLevel !== undefined ? { minLevel: ctx.minLevel } : {}),
      ...(ctx.policy !== undefined ? { policy: buildPolicy(ctx.policy, `${path}.policy`) } : {}),
      ...(ctx.payload !== undefined ? { payloadProcessor: buildPayloadProcessor(ctx.payload, `${path}.payload`) } : {}),
      ...(ctx.errorHandling !== undefined ? { errorHandling: ctx.errorHandling } : {}),
    });
  }
  const sinks = doc.sinks ?? {};
  const order = sinkBuildOrder(sinks);
  const removedNames = Object.keys(previous?.sinks ?? {}).filter((n) => !Object.hasOwn(sinks, n) && owned.includes(n));

  // 2. The switch: synchronous from here to the end of the block.
  const built = new Map<string, LogSink>();
  const newOwned = new Set(owned.filter((n) => !removedNames.includes(n)));
  const replaced: { name: string; close: () => Promise<LogSinkCloseResult | undefined> }[] = [];
  const created: string[] = [];
  try {
    for (const name of order) {
      const path = childPath('sinks', name);
      const spec = sinkSpec(sinks[name]!, built, path, adapters);
      const request = { name, type: spec.type as never, options: spec.options as never };
      if (previous === undefined) {
        const existed = getLogSink(name) !== undefined;
        built.set(name, underPath(path, () => configureLogSink(request)));
        if (!existed) created.push(name);
      } else {
        const existed = getLogSink(name) !== undefined;
        const r = underPath(path, () => replaceLogSink(request));
        built.set(name, r.sink);
        if (r.previous !== undefined) replaced.push({ name, close: () => r.closePrevious({ timeoutMs: 5_000 }) });
        if (!existed || r.previous !== undefined) newOwned.add(name);
      }
    }
  } catch (error) {
    // Only a first configuration gets here with changes (a constructor failing after validation):
    // its new sinks are closed again (no context holds them yet).
    for (const name of created.reverse()) void closeLogSink(name, { timeoutMs: 1_000 });
    throw error;
  }
  for (const name of created) newOwned.add(name);
  for (const [ns, settings] of contexts) {
    const sinkName = doc.contexts![ns]!.sink;
    configureLogContext(ns, { ...settings, ...(sinkName !== undefined ? { sink: built.get(sinkName)! } : {}) });
  }
  // Settings the previous document set and this one does not: back to inherited (the root: to what it had before).
  for (const [ns, old] of Object.entries(previous?.contexts ?? {})) {
    const now = doc.contexts?.[ns] ?? {};
    const ctx = getLogContext(ns);
    for (const key of KEYS) {
      const docKey = key === 'payloadProcessor' ? 'payload' : key;
      if ((old as Record<string, unknown>)[docKey] === undefined || (now as Record<string, unknown>)[docKey] !== undefined) continue;
      if (ns !== '') {
        if (key === 'sink') ctx.resetSink();
        else if (key === 'minLevel') ctx.resetMinLevel();
        else if (key === 'policy') ctx.resetPolicy();
        else if (key === 'payloadProcessor') ctx.resetPayloadProcessor();
        else ctx.resetErrorHandling();
      } else if (key === 'policy') {
        if (rootBefore.policy === undefined) ctx.resetPolicy();
        else ctx.setPolicy(rootBefore.policy);
      } else if (key === 'sink') ctx.setSink(rootBefore.sink!);
      else if (key === 'minLevel') ctx.setMinLevel(rootBefore.minLevel!);
      else if (key === 'payloadProcessor') ctx.setPayloadProcessor(rootBefore.payloadProcessor!);
      else ctx.setErrorHandling(rootBefore.errorHandling!);
    }
  }
  if (rootLevel !== undefined) getRootLogContext().setMinLevel(rootLevel);
  const removing: Promise<LogSinkCloseResult | undefined>[] = [];
  const removed: string[] = [];
  for (const name of removedNames) {
    try {
      removing.push(closeLogSink(name, { timeoutMs: 5_000 }));
      removed.push(name);
    } catch {
      // Still held by a context outside the document: kept (and still owned), closed at shutdown.
      newOwned.add(name);
    }
  }
  // End of the switch.
  const closing = Promise.all([...replaced.map((r) => r.close()), ...removing]).then((all) => all.filter((r): r is LogSinkCloseResult => r !== undefined));
  return { sinks: built, owned: [...newOwned], removed, replaced: replaced.map((r) => r.name), closing };
}

/**
 * The package-level facade: one tree of log contexts per process, addressed by dotted namespace.
 *
 * The root (namespace `''`) exists at import: a `ConsoleSink` on stderr (JSON lines, or readable
 * coloured lines on a TTY), minimum level INFO, the default `LogPayloadProcessor`, error handling
 * `print-stderr`, no policy. So `getLogContext('app').info('started')` works with no setup.
 *
 * @module
 */
import { MvxConfigError } from '../../errors.ts';
import { readOptions } from '../../internal/config-read.ts';
import { LogLevel } from '../level.ts';
import type { LogPayloadProcessorLike } from '../payload-processor-like.ts';
import { LogPayloadProcessor } from '../payload/log-payload-processor.ts';
import type { LogEventPolicy } from '../policy/log-event-policy.ts';
import type { LogSink } from '../sinks/log-sink.ts';
import { ConsoleSink } from '../sinks/console-sink.ts';
import { LogErrorHandling } from './error-handling.ts';
import type { LogErrorHandlingMode } from './error-handling.ts';
import { LogContext, detachLogContextChildren, logContextChildren } from './log-context.ts';
import type { LogLevelInput } from './log-context.ts';
import { validateNamespace } from './namespace.ts';

/** Settings of {@link configureLogContext}; only the given ones change. */
export interface LogContextSettings {
  sink?: LogSink;
  policy?: LogEventPolicy;
  payloadProcessor?: LogPayloadProcessorLike;
  errorHandling?: LogErrorHandlingMode;
  minLevel?: LogLevelInput;
}

const SETTING_KEYS: ReadonlySet<string> = new Set(['sink', 'policy', 'payloadProcessor', 'errorHandling', 'minLevel']);

function bootstrapRoot(): LogContext {
  return new LogContext({
    namespace: '',
    sink: new ConsoleSink({ stream: 'stderr', format: 'auto' }),
    payloadProcessor: new LogPayloadProcessor(),
    errorHandling: LogErrorHandling.PRINT_STDERR,
    minLevel: LogLevel.INFO,
  });
}

const root = bootstrapRoot();
const bootstrap = root.localSettings();

/** The facade's root context (namespace `''`). */
export function getRootLogContext(): LogContext {
  return root;
}

/**
 * The context for a dotted namespace, created (with every missing ancestor, as plain inheriting
 * children) on first use; `''` gives the root. The same object is returned on every call.
 * @throws MvxConfigError (option `namespace`) when the namespace is malformed.
 */
export function getLogContext(namespace: string): LogContext {
  const ns = validateNamespace(namespace, 'namespace', true);
  if (ns === '') return root;
  let ctx = root;
  for (const segment of ns.split('.')) ctx = ctx.child(segment);
  return ctx;
}

/** Whether the facade already holds a context for `namespace` (never creates one). */
export function hasLogContext(namespace: string): boolean {
  const ns = validateNamespace(namespace, 'namespace', true);
  if (ns === '') return true;
  let ctx: LogContext | undefined = root;
  for (const segment of ns.split('.')) {
    let next: LogContext | undefined;
    for (const [seg, child] of logContextChildren(ctx)) {
      if (seg === segment) {
        next = child;
        break;
      }
    }
    if (next === undefined) return false;
    ctx = next;
  }
  return true;
}

/**
 * Applies settings to the context of `namespace` (`''` = the root), creating it and its missing
 * ancestors first. Only the given settings change; `undefined` never resets (use the context's
 * `reset*` methods). Every setting is validated before any is applied.
 * @throws MvxConfigError naming the option (`namespace`, `sink`, `policy`, ...) when invalid or unknown.
 */
export function configureLogContext(namespace: string, settings: LogContextSettings = {}): LogContext {
  if (settings === null || typeof settings !== 'object') throw new MvxConfigError('settings', 'must be an object');
  // Every setting read once (a getter or Proxy trap that throws is an MvxConfigError naming it).
  const given = readOptions(settings, 'settings', SETTING_KEYS, (key) => {
    throw new MvxConfigError(key, `unknown setting; valid settings are ${[...SETTING_KEYS].join(', ')}`);
  }) as LogContextSettings;
  // Validate everything on a throw-away child first, so a bad option changes nothing.
  new LogContext({ parent: root, ...given });
  const ctx = getLogContext(namespace);
  if (given.sink !== undefined) ctx.setSink(given.sink);
  if (given.policy !== undefined) ctx.setPolicy(given.policy);
  if (given.payloadProcessor !== undefined) ctx.setPayloadProcessor(given.payloadProcessor);
  if (given.errorHandling !== undefined) ctx.setErrorHandling(given.errorHandling);
  if (given.minLevel !== undefined) ctx.setMinLevel(given.minLevel);
  return ctx;
}

function walk(visit: (ctx: LogContext) => void): void {
  const stack: LogContext[] = [root];
  while (stack.length > 0) {
    const ctx = stack.pop()!;
    visit(ctx);
    for (const [, child] of logContextChildren(ctx)) stack.push(child);
  }
}

/** Every namespace the facade holds, including `''`, sorted. */
export function getLogContextNamespaces(): string[] {
  const out: string[] = [];
  walk((ctx) => out.push(ctx.namespace));
  return out.sort();
}

/**
 * The distinct sinks set (locally) on any facade context, root first. Exit handlers flush and shut
 * these down.
 */
export function getRegisteredLogSinks(): LogSink[] {
  const seen = new Set<LogSink>();
  const rootSink = root.localSettings().sink;
  if (rootSink !== undefined) seen.add(rootSink);
  walk((ctx) => {
    const sink = ctx.localSettings().sink;
    if (sink !== undefined) seen.add(sink);
  });
  return [...seen];
}

/** Options of {@link resetLogContexts}. */
export interface ResetLogContextsOptions {
  /**
   * Also restore the root's bootstrap settings (stderr `ConsoleSink`, INFO, default processor,
   * `print-stderr`, no policy). @default false: the root keeps its settings
   */
  root?: boolean;
}

/**
 * Drops every non-root context from the facade. Contexts handed out earlier stay usable but are
 * detached: `getLogContext` creates fresh ones. Sinks are neither flushed nor closed.
 */
export function resetLogContexts(options: ResetLogContextsOptions = {}): void {
  detachLogContextChildren(root);
  if (options.root === true) {
    root.setSink(bootstrap.sink!);
    root.setPayloadProcessor(bootstrap.payloadProcessor!);
    root.setErrorHandling(bootstrap.errorHandling!);
    root.setMinLevel(bootstrap.minLevel!);
    root.resetPolicy();
  }
}

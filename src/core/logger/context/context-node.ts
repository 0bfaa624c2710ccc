/**
 * The middle layer of `LogContext`: the tree below a context (its children by segment, made on
 * first use) and the payload methods that need only the effective payload processor. The settings
 * are the layer below (`context-settings.ts`); the decisions and the emit path are the layer above
 * (`log-context.ts`), which registers how a child is made and gives each node the counters its
 * payload failures go to. Internal: not re-exported.
 *
 * @module
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { NormalizeOptions } from '../payload-processor-like.ts';
import { LogContextSettings } from './context-settings.ts';
import { contextAccess } from './log-context-internals.ts';
import type { LogContext } from './log-context.ts';
import type { LogContextOptions } from './log-context-types.ts';
import { validateNamespace } from './namespace.ts';
import { errorPayloadWith, normalizeValueWith, plainVerbosityOf } from './payload-delegation.ts';
import type { DelegationSite } from './payload-delegation.ts';

/** Makes the child context `namespace` of `parent`; registered once by `LogContext`. */
let makeChild: (parent: LogContext, namespace: string) => LogContext;

/** Registers how a child context is made (`LogContext`'s static block). Internal. */
export function registerChildFactory(make: (parent: LogContext, namespace: string) => LogContext): void {
  makeChild = make;
}

/** The tree and payload half of {@link LogContext} (see the module comment). */
export abstract class LogContextNode extends LogContextSettings {
  readonly #children = new Map<string, LogContext>();
  /** Where a payload failure is counted (the context's stats) and which namespace it is reported for. */
  readonly #site: DelegationSite;

  static {
    contextAccess.detachChildren = (ctx) => (ctx as LogContextNode).#children.clear();
    contextAccess.childEntries = (ctx) => (ctx as LogContextNode).#children.entries();
  }

  /**
   * @param stats the context's counters (`payloadFailures` is counted here)
   * @throws MvxConfigError when an option is invalid, or a root lacks `sink` or `payloadProcessor`.
   */
  protected constructor(options: LogContextOptions, stats: DelegationSite['stats']) {
    super(options);
    this.#site = { namespace: this.namespace, stats };
  }

  /** This node as the `LogContext` it is (`LogContext` is the one concrete subclass). */
  #self(): LogContext {
    return this as unknown as LogContext;
  }

  /**
   * The child context `<namespace>.<segment>` (created on first use, then the same object). A dotted
   * `segment` walks the path: `child('a.b')` is `child('a').child('b')`.
   * @throws MvxConfigError (option `segment`) when `segment` is not a valid namespace part.
   */
  child(segment: string): LogContext {
    const existing = this.#children.get(segment);
    if (existing !== undefined) return existing;
    const seg = validateNamespace(segment, 'segment', false);
    if (seg.includes('.')) {
      // A dotted path: walk it, so `child('a.b')` is `child('a').child('b')`.
      return seg.split('.').reduce<LogContext>((ctx, part) => ctx.child(part), this.#self());
    }
    const again = this.#children.get(seg);
    if (again !== undefined) return again;
    const ctx = makeChild(this.#self(), this.namespace === '' ? seg : `${this.namespace}.${seg}`);
    this.#children.set(seg, ctx);
    return ctx;
  }

  /** Normalises one value with the effective processor. Never throws (a failure gives a placeholder string). */
  normalizeValueForLog(value: unknown, options?: NormalizeOptions): JsonValue {
    return normalizeValueWith(this.#site, this.payloadProcessor, value, options);
  }

  /** The effective processor's verbosity as a plain string (`undefined` on failure). */
  getPlainVerbosityLevel(): string | undefined {
    return plainVerbosityOf(this.#site, this.payloadProcessor);
  }

  /**
   * A structured, JSON-safe error payload: the processor's `normalizeError(err)` when it has one,
   * else `normalizeValueForLog(err)` (an object is used as is; anything else becomes
   * `{ type, message }`). Never throws.
   */
  buildErrorPayload(err: unknown): JsonObject {
    return errorPayloadWith(this.#site, this.payloadProcessor, err);
  }
}

/**
 * The owner's log configuration as it crosses to workers: for each namespace with local settings,
 * its minimum level, its policy (a `PatternLogEventPolicy`'s rules) and its payload processor's
 * options (limits, verbosity, redaction). Plain data, so it survives structured clone (worker
 * threads) and JSON (process IPC); RegExp redaction entries are encoded as `{ re, flags }`.
 *
 * What cannot cross (code): a policy of another class is marked `'owner'` (the worker then sends
 * every event above the minimum level, and the owner applies the policy when the event arrives);
 * a processor of another class is marked `'default'`, and `serializers` / `resolver` are left out
 * (register them in the worker: `connectLogHub({ configureProcessor })`).
 */
import type { LogPayloadProcessorOptions } from '../payload/options.ts';
import { LogPayloadProcessor } from '../payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../policy/pattern-log-event-policy.ts';
import type { PatternLogEventPolicyConfig } from '../policy/pattern-log-event-policy.ts';
import { getLogContext, getLogContextNamespaces } from '../context/facade.ts';

/** A redaction entry as it crosses: a string, or a RegExp's source and flags. */
export type PortableRedactEntry = string | { readonly re: string; readonly flags: string };

/** Payload processor options as they cross. */
export interface PortableProcessorOptions extends Omit<LogPayloadProcessorOptions, 'redact' | 'serializers' | 'adapters' | 'resolver'> {
  readonly redact: { readonly mode: 'replace'; readonly keys: readonly PortableRedactEntry[] };
}

/** One namespace's settings as they cross. */
export interface PortableContextConfig {
  readonly namespace: string;
  readonly minLevel?: number;
  /** The rules of a `PatternLogEventPolicy`, or `'owner'`: decided by the owner on arrival. */
  readonly policy?: PatternLogEventPolicyConfig | 'owner';
  /** The processor's options, or `'default'`: not a `LogPayloadProcessor`. */
  readonly processor?: PortableProcessorOptions | 'default';
}

/** The owner's configuration as it crosses. */
export interface PortableLogConfig {
  /** Increases with every change the owner sends. */
  readonly version: number;
  readonly contexts: readonly PortableContextConfig[];
}

/** What was left behind because it is code (for the owner's one-time report). */
export interface PortableGaps {
  readonly ownerPolicies: readonly string[];
  readonly defaultProcessors: readonly string[];
  readonly processorCode: readonly string[];
}

function portableProcessor(p: LogPayloadProcessor): { options: PortableProcessorOptions; hasCode: boolean } {
  const { options, hasCode } = p.portableOptions();
  const keys = (options.redact?.keys ?? []).map((k): PortableRedactEntry => (typeof k === 'string' ? k : { re: k.source, flags: k.flags }));
  return { options: { ...options, redact: { mode: 'replace', keys } } as PortableProcessorOptions, hasCode };
}

/** The facade's configuration (this thread's), as it crosses. */
export function portableLogConfig(version: number): { config: PortableLogConfig; gaps: PortableGaps } {
  const contexts: PortableContextConfig[] = [];
  const ownerPolicies: string[] = [];
  const defaultProcessors: string[] = [];
  const processorCode: string[] = [];
  for (const namespace of getLogContextNamespaces()) {
    const local = getLogContext(namespace).localSettings();
    if (local.minLevel === undefined && local.policy === undefined && local.payloadProcessor === undefined) continue;
    const entry: { namespace: string; minLevel?: number; policy?: PortableContextConfig['policy']; processor?: PortableContextConfig['processor'] } = { namespace };
    if (local.minLevel !== undefined) entry.minLevel = local.minLevel;
    if (local.policy !== undefined) {
      if (local.policy instanceof PatternLogEventPolicy) entry.policy = local.policy.toJSON();
      else {
        entry.policy = 'owner';
        ownerPolicies.push(namespace);
      }
    }
    if (local.payloadProcessor !== undefined) {
      if (local.payloadProcessor instanceof LogPayloadProcessor) {
        const { options, hasCode } = portableProcessor(local.payloadProcessor);
        entry.processor = options;
        if (hasCode) processorCode.push(namespace);
      } else {
        entry.processor = 'default';
        defaultProcessors.push(namespace);
      }
    }
    contexts.push(entry);
  }
  return { config: { version, contexts }, gaps: { ownerPolicies, defaultProcessors, processorCode } };
}

/** Decodes a processor's options (RegExp entries rebuilt). */
export function processorOptionsOf(p: PortableProcessorOptions): LogPayloadProcessorOptions {
  const keys = p.redact.keys.map((k) => (typeof k === 'string' ? k : new RegExp(k.re, k.flags)));
  return { ...p, redact: { mode: 'replace', keys } };
}

/**
 * Worker side: applies the owner's {@link PortableLogConfig} to this thread's log contexts, so the
 * decisions (minimum level, policy) and the normalisation (limits, redaction) are the owner's and
 * stay as cheap as local ones. Namespaces the previous configuration set and this one does not are
 * reset. Policies and processors are rebuilt only when their options changed.
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { getLogContext } from '../context/facade.ts';
import { LogPayloadProcessor } from '../payload/log-payload-processor.ts';
import { PatternLogEventPolicy } from '../policy/pattern-log-event-policy.ts';
import type { PortableContextConfig, PortableLogConfig } from './portable-config.ts';
import { processorOptionsOf } from './portable-config.ts';

/** Called for every processor built from the owner's options (register serializers and resolvers there). */
export type ConfigureProcessor = (processor: LogPayloadProcessor, namespace: string) => void;

interface Applied {
  readonly minLevel: boolean;
  readonly policy: string | undefined;
  readonly processor: string | undefined;
}

/** Everything the owner sends through: the worker's side of the configuration. */
export class ConfigApplier {
  version = 0;
  #applied = new Map<string, Applied>();
  readonly #policies = new Map<string, PatternLogEventPolicy>();
  readonly #configureProcessor: ConfigureProcessor | undefined;

  constructor(configureProcessor: ConfigureProcessor | undefined) {
    this.#configureProcessor = configureProcessor;
  }

  /** Applies `config` unless an equal or newer one was applied; returns whether it was applied. */
  apply(config: PortableLogConfig): boolean {
    if (config === null || typeof config !== 'object' || !Array.isArray(config.contexts) || typeof config.version !== 'number') return false;
    if (config.version <= this.version) return false;
    this.version = config.version;
    const next = new Map<string, Applied>();
    for (const entry of config.contexts) {
      try {
        next.set(entry.namespace, this.#applyOne(entry));
      } catch (error) {
        reportDiagnostic({ component: 'LogHubClient', code: 'config.failed', message: `could not apply the owner's settings of '${String(entry?.namespace)}'`, error });
      }
    }
    for (const [namespace, was] of this.#applied) {
      if (next.has(namespace) || namespace === '') continue;
      const ctx = getLogContext(namespace);
      if (was.minLevel) ctx.resetMinLevel();
      if (was.policy !== undefined) ctx.resetPolicy();
      if (was.processor !== undefined) ctx.resetPayloadProcessor();
    }
    this.#applied = next;
    return true;
  }

  #applyOne(entry: PortableContextConfig): Applied {
    const ns = entry.namespace;
    const ctx = getLogContext(ns);
    const before = this.#applied.get(ns);
    if (entry.minLevel !== undefined) ctx.setMinLevel(entry.minLevel);
    else if (before?.minLevel === true && ns !== '') ctx.resetMinLevel();
    let policyKey: string | undefined;
    if (entry.policy !== undefined) {
      // 'owner': the owner decides on arrival; here, everything above the minimum level passes.
      const config = entry.policy === 'owner' ? { defaultEnabled: true, rules: [] } : entry.policy;
      policyKey = JSON.stringify(config);
      if (before?.policy !== policyKey) {
        let policy = this.#policies.get(policyKey);
        if (policy === undefined) {
          if (this.#policies.size >= 64) this.#policies.clear(); // a bound; rebuilding one is cheap
          policy = new PatternLogEventPolicy(config);
          this.#policies.set(policyKey, policy);
        }
        ctx.setPolicy(policy);
      }
    } else if (before?.policy !== undefined) ctx.resetPolicy();
    let processorKey: string | undefined;
    if (entry.processor !== undefined) {
      processorKey = JSON.stringify(entry.processor);
      if (before?.processor !== processorKey) {
        const processor = entry.processor === 'default' ? new LogPayloadProcessor() : new LogPayloadProcessor(processorOptionsOf(entry.processor));
        this.#configureProcessor?.(processor, ns);
        ctx.setPayloadProcessor(processor);
      }
    } else if (before?.processor !== undefined && ns !== '') ctx.resetPayloadProcessor();
    return { minLevel: entry.minLevel !== undefined, policy: policyKey, processor: processorKey };
  }
}

/**
 * Validation of a configuration document: the schema (shapes, unknown keys, ranges), then what a
 * schema cannot say: references (a context's or a multi/filter sink's sink, an adapter's
 * recorders), cycles between sinks, and the core's own checks of policies, payload processors and
 * metrics (globs, sampling rules, buckets), each error naming its path.
 *
 * @module
 */
import { buildMetric, buildPayloadProcessor, buildPolicy } from './components.ts';
import { CONFIG_SCHEMA } from './document-schema.ts';
import { ConfigDocumentError } from './errors.ts';
import { childPath, validateNode } from './schema-dsl.ts';
import type { ConfigSink, MvxConfigDocument } from './types.ts';

function knownList(names: string[]): string {
  return names.length === 0 ? 'no sinks are defined' : `defined: ${names.map((n) => JSON.stringify(n)).join(', ')}`;
}

/** The sinks a sink sends to. */
export function sinkTargets(sink: ConfigSink): string[] {
  if (sink.type === 'multi') return sink.sinks;
  if (sink.type === 'filter') return [sink.sink];
  return [];
}

/** Sink names in an order where every sink comes after the sinks it sends to. */
export function sinkBuildOrder(sinks: Record<string, ConfigSink>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new ConfigDocumentError(childPath('sinks', trail[0]!), `sinks form a cycle: ${[...trail, name].join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const target of sinkTargets(sinks[name]!)) visit(target, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(sinks)) visit(name, []);
  return order;
}

/**
 * Checks a parsed document; returns it typed. Never changes anything.
 * @throws ConfigDocumentError (an `MvxConfigError`) naming the path of the first problem, e.g.
 *   `contexts["orders.api"].sink: unknown sink "audit" (defined: "console")`.
 */
export function validateConfig(document: unknown): MvxConfigDocument {
  validateNode(CONFIG_SCHEMA, document, '');
  const doc = document as MvxConfigDocument;
  const sinks = doc.sinks ?? {};
  const names = Object.keys(sinks);
  for (const [name, sink] of Object.entries(sinks)) {
    const path = childPath('sinks', name);
    if (sink.type === 'multi') {
      sink.sinks.forEach((target, i) => {
        if (!Object.hasOwn(sinks, target)) throw new ConfigDocumentError(childPath(`${path}.sinks`, i), `unknown sink ${JSON.stringify(target)} (${knownList(names)})`);
      });
    }
    if (sink.type === 'filter') {
      if (!Object.hasOwn(sinks, sink.sink)) throw new ConfigDocumentError(`${path}.sink`, `unknown sink ${JSON.stringify(sink.sink)} (${knownList(names)})`);
      if (sink.policy !== undefined) buildPolicy(sink.policy, `${path}.policy`);
    }
  }
  sinkBuildOrder(sinks);
  for (const [ns, ctx] of Object.entries(doc.contexts ?? {})) {
    const path = childPath('contexts', ns);
    if (ctx.sink !== undefined && !Object.hasOwn(sinks, ctx.sink)) {
      throw new ConfigDocumentError(`${path}.sink`, `unknown sink ${JSON.stringify(ctx.sink)} (${knownList(names)})`);
    }
    if (ctx.policy !== undefined) buildPolicy(ctx.policy, `${path}.policy`);
    if (ctx.payload !== undefined) buildPayloadProcessor(ctx.payload, `${path}.payload`);
  }
  const recorders = doc.metrics?.recorders ?? {};
  for (const [id, recorder] of Object.entries(recorders)) {
    const seen = new Set<string>();
    (recorder.metrics ?? []).forEach((m, i) => {
      const path = `${childPath('metrics.recorders', id)}.metrics[${i}]`;
      if (seen.has(m.name)) throw new ConfigDocumentError(`${path}.name`, `metric ${JSON.stringify(m.name)} is defined twice in this recorder`);
      seen.add(m.name);
      buildMetric(m, path);
    });
  }
  for (const [adapter, options] of Object.entries(doc.adapters ?? {})) {
    (options?.recorders ?? []).forEach((id: string, i: number) => {
      if (!Object.hasOwn(recorders, id)) {
        const known = Object.keys(recorders);
        throw new ConfigDocumentError(`adapters.${adapter}.recorders[${i}]`, `unknown recorder ${JSON.stringify(id)} (${known.length === 0 ? 'no recorders are defined' : `defined: ${known.map((k) => JSON.stringify(k)).join(', ')}`})`);
      }
    });
  }
  return doc;
}

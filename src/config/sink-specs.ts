/**
 * How each sink type of a document becomes a named-sink registration (class and options).
 *
 * @module
 */
import { ConsoleSink, FileSink, FilteringSink, MemorySink, MultiSink, NullSink, parseLogLevel } from '../index.ts';
import type { LogSink, PatternLogEventPolicyConfig } from '../index.ts';
import type { AdapterHandles } from './adapters.ts';
import { buildPolicy } from './components.ts';
import type { ConfigSink } from './types.ts';

/** `MultiSink` as a class built from one options object (what the named-sink registry builds). */
class ConfigMultiSink extends MultiSink {
  constructor(options: { targets: LogSink[] }) {
    super(options.targets);
  }
}
/**
 * `FilteringSink` built from the policy's configuration (plain data), so an unchanged filter has an
 * equal descriptor on a reload and is kept.
 */
class ConfigFilteringSink extends FilteringSink {
  constructor(options: { target: LogSink; minLevel?: number; policy?: PatternLogEventPolicyConfig; path: string }) {
    super({
      target: options.target,
      ...(options.minLevel !== undefined ? { minLevel: options.minLevel } : {}),
      ...(options.policy !== undefined ? { policy: buildPolicy(options.policy, `${options.path}.policy`) } : {}),
    });
  }
}

function level(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseLogLevel(value);
}

/** The named-sink registration of one document sink; `built` holds the sinks it may send to. */
export function sinkSpec(sink: ConfigSink, built: Map<string, LogSink>, path: string, adapters: AdapterHandles): { type: new (o: never) => LogSink; options: object } {
  switch (sink.type) {
    case 'console': {
      const { type: _t, ...rest } = sink;
      return { type: ConsoleSink, options: rest };
    }
    case 'file': {
      const { type: _t, async, ...rest } = sink;
      return { type: FileSink, options: { ...rest, ...async } };
    }
    case 'memory':
      return { type: MemorySink, options: sink.capacity === undefined ? {} : { capacity: sink.capacity } };
    case 'null':
      return { type: NullSink, options: {} };
    case 'multi':
      return { type: ConfigMultiSink, options: { targets: sink.sinks.map((n) => built.get(n)!) } };
    case 'filter': {
      const minLevel = level(sink.minLevel);
      return {
        type: ConfigFilteringSink,
        options: {
          target: built.get(sink.sink)!,
          ...(minLevel !== undefined ? { minLevel } : {}),
          ...(sink.policy !== undefined ? { policy: sink.policy } : {}),
          path,
        },
      };
    }
    case 'otel-logs': {
      const { type: _t, ...rest } = sink;
      return { type: adapters.otelLogSink!, options: { ...rest, ...adapters.loggerProviderOption } };
    }
  }
}

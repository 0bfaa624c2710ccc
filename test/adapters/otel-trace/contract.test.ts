/**
 * registerOtelTracing is neither a sink nor a metrics exporter; it runs the lifecycle contract
 * (spans: started = ended + running) with a real TracerProvider and in-memory exporter.
 */
import { registerOtelTracing } from '../../../src/adapters/otel-trace/index.ts';
import { LogContext, LogPayloadProcessor, MemorySink, logInvocation } from '../../../src/index.ts';
import { runLifecycleContract } from '../contract/lifecycle.ts';
import { inMemoryOtel, useOtelAsyncContext } from '../otel-support.ts';

useOtelAsyncContext();

runLifecycleContract('registerOtelTracing (SDK TracerProvider, in-memory exporter)', async () => {
  const otel = inMemoryOtel();
  const root = new LogContext({ namespace: 'app', sink: new MemorySink(), payloadProcessor: new LogPayloadProcessor() });
  const tracing = registerOtelTracing({ tracerProvider: otel.tracerProvider, correlation: false });
  const work = logInvocation({ event: 'work', context: root })(async (n: number) => n * 2);
  return {
    component: tracing,
    use: async () => {
      await work(1);
      await work(2);
    },
    dispose: () => otel.shutdown(),
  };
});

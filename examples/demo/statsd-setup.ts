/**
 * StatsD push for the demo (on when `STATSD_HOST` is set): the recorder's metrics through the
 * user's own hot-shots client, aggregated per interval.
 */
import { StatsD } from 'hot-shots';
import type { MetricsSource } from 'mvx-common';
import { StatsdExporter } from 'mvx-common/statsd';

export function startStatsd(host: string, port: number, source: MetricsSource): { describe: () => string; shutdown: () => Promise<void> } {
  // Client settings the adapter's docs recommend: a bounded buffer under the MTU, cached DNS.
  const client = new StatsD({ host, port, maxBufferSize: 1432, bufferFlushInterval: 1000, cacheDns: true, prefix: 'demo.' });
  const exporter = new StatsdExporter({ client, source, flushIntervalMs: 2000 });
  return {
    describe: () => {
      const s = exporter.stats();
      return `statsd   pushes ${s.pushes}, lines sent ${s.linesSent}, send errors ${s.sendErrors}`;
    },
    shutdown: () => exporter.close(),
  };
}

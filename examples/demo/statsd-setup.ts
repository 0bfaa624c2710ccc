/**
 * StatsD push for the demo (on when `STATSD_HOST` is set): the recorder's metrics through the
 * user's own hot-shots client, aggregated per interval.
 */
import { StatsD } from 'hot-shots';
import type { MetricsSource } from 'mvx-common';
import { StatsdExporter } from 'mvx-common/statsd';
import type { DeliveryReport } from './export-accounting.ts';

export interface StatsdPush {
  /** The exporter's counts; final after `shutdown()` (which makes the last push). */
  delivery(): DeliveryReport;
  shutdown(timeoutMs: number): Promise<void>;
}

export function startStatsd(host: string, port: number, source: MetricsSource): StatsdPush {
  // Client settings the adapter's docs recommend: a bounded buffer under the MTU, cached DNS.
  const client = new StatsD({ host, port, maxBufferSize: 1432, bufferFlushInterval: 1000, cacheDns: true, prefix: 'demo.' });
  const exporter = new StatsdExporter({ client, source, flushIntervalMs: 2000 });
  return {
    delivery: () => {
      const s = exporter.stats();
      const errors = s.sendErrors + s.callErrors + s.pushErrors + s.timeouts;
      const detail = [`${s.sendErrors} send errors`];
      if (s.callErrors + s.pushErrors > 0) detail.push(`${s.callErrors + s.pushErrors} client or push errors`);
      if (s.timeouts > 0) detail.push(`${s.timeouts} flushes timed out`);
      return {
        name: 'statsd',
        // UDP has no acknowledgement: "sent" is as far as a StatsD client can know.
        text: `${s.pushes} pushes, ${s.linesSent} lines sent over UDP (not acknowledged by design), ${detail.join(', ')}`,
        complete: errors === 0,
        ...(errors === 0 ? {} : { problem: `statsd: ${errors} errors while sending to ${host}:${port}` }),
      };
    },
    shutdown: async (timeoutMs) => void (await exporter.shutdown({ timeoutMs })),
  };
}

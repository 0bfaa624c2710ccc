/** A real UDP receiver on 127.0.0.1 that records the StatsD datagrams and lines it gets. */
import dgram from 'node:dgram';

export interface UdpReceiver {
  readonly port: number;
  readonly datagrams: string[];
  /** Every line of every datagram, in arrival order. */
  lines(): string[];
  /** Waits (bounded) until `predicate(lines)` holds; returns the lines either way. */
  waitFor(predicate: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function startUdpReceiver(): Promise<UdpReceiver> {
  const socket = dgram.createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (msg) => datagrams.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  const lines = (): string[] => datagrams.flatMap((d) => d.split('\n')).filter((l) => l !== '');
  return {
    port,
    datagrams,
    lines,
    async waitFor(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(lines()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return lines();
    },
    clear() {
      datagrams.length = 0;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

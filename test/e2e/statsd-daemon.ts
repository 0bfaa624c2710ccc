/**
 * Starts the Etsy statsd daemon (the `statsd` dev dependency) on 127.0.0.1 with free UDP and
 * management ports, a one-hour flush interval (values stay in the current interval) and no backend,
 * and reads its state back through the management interface.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';

export interface StatsdDaemon {
  readonly port: number;
  readonly mgmtPort: number;
  /** Sends a management command and returns its answer up to `END`. */
  command(cmd: string): Promise<string>;
  /** `counters`, `gauges` or `timers`, parsed (the daemon prints them with `util.inspect`). */
  read<T = Record<string, unknown>>(what: 'counters' | 'gauges' | 'timers'): Promise<T>;
  /** Waits (bounded) until `check` holds on what `read(what)` returns. */
  waitFor<T>(what: 'counters' | 'gauges' | 'timers', check: (v: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function mgmtCommand(port: number, cmd: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`statsd management command '${cmd}' timed out; got: ${data}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${cmd}\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('END\n') || (cmd === 'health' && data.includes('\n'))) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export async function startStatsdDaemon(): Promise<StatsdDaemon> {
  const port = await freeUdpPort();
  const mgmtPort = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'mvx-statsd-'));
  const config = join(dir, 'config.js');
  writeFileSync(
    config,
    `{ port: ${port}, address: '127.0.0.1', mgmt_port: ${mgmtPort}, mgmt_address: '127.0.0.1',
       flushInterval: 3600000, backends: [], automaticConfigReload: false }`,
  );
  // statsd 0.9 calls util.log, which Node 23 removed: put a stand-in back before it loads. The
  // management interface prints with util.inspect, which cuts arrays at 100 items: lift that.
  const shim = join(dir, 'util-log-shim.cjs');
  writeFileSync(
    shim,
    "const util = require('node:util');\n" +
      "if (typeof util.log !== 'function') util.log = (...a) => console.log(new Date().toISOString(), ...a);\n" +
      'util.inspect.defaultOptions.maxArrayLength = null;\n',
  );
  const bin = join(import.meta.dirname, '..', '..', 'node_modules', 'statsd', 'bin', 'statsd');
  const child: ChildProcess = spawn(process.execPath, ['--require', shim, bin, config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));

  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await mgmtCommand(mgmtPort, 'health', 1000)).includes('health: up')) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`statsd daemon did not start (exit ${child.exitCode}): ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const read = async <T>(what: 'counters' | 'gauges' | 'timers'): Promise<T> => {
    const text = await mgmtCommand(mgmtPort, what);
    const body = text.slice(0, text.lastIndexOf('END')).trim();
    return vm.runInNewContext(`(${body})`) as T;
  };
  return {
    port,
    mgmtPort,
    command: (cmd) => mgmtCommand(mgmtPort, cmd),
    read,
    async waitFor<T>(what: 'counters' | 'gauges' | 'timers', check: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
      const until = Date.now() + timeoutMs;
      let value = await read<T>(what);
      while (!check(value) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        value = await read<T>(what);
      }
      return value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

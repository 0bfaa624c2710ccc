/**
 * Asynchronous file logging: JSON lines with size rotation, exit handlers, exact accounting.
 * Run: `npm run example -- file-sink`.
 *
 * `log` hands the event off and returns; the FileSink batches lines into few write calls, rotates
 * before a file would pass `maxBytes`, and reports what it delivered, dropped or failed.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink, configureLogContext, getLogContext, installExitHandlers } from 'mvx-common';

const dir = mkdtempSync(join(tmpdir(), 'mvx-example-'));
const sink = new FileSink({ path: join(dir, 'app.log'), maxBytes: 64 * 1024, maxFiles: 3, compress: true });
await sink.start(); // optional: an unwritable path fails here, with the path in the message

configureLogContext('app', { sink });
// SIGTERM / SIGINT / natural exit: every facade sink is flushed and shut down within 5 s.
installExitHandlers({ timeoutMs: 5_000 });

const log = getLogContext('app.orders');
for (let i = 0; i < 2_000; i++) {
  log.info('order.created', { orderId: i, amount: 12.5 + i, items: [{ sku: 'A-1', qty: 2 }] }, { entityId: `customer-${i % 50}` });
}

const report = await sink.shutdown({ timeoutMs: 5_000 });
process.stdout.write(
  `accepted=${report.accepted} delivered=${report.delivered} dropped=${report.dropped} failed=${report.failed} ` +
    `rotations=${report.rotations} timedOut=${report.timedOut}\n`,
);
process.stdout.write(`files in ${dir}: ${readdirSync(dir).sort().join(', ')}\n`);

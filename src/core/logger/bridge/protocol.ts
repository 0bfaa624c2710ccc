/**
 * Messages of the log bridge, on top of the shared batch protocol (`core/internal/ipc`: `batch`,
 * `flush`, `ack`, `flushed`, `closed`). Every message carries `mvx: 'mvx-logs'`.
 *
 * - worker → owner: `{ t: 'hello', port? }` once, when it connects (a worker thread sends the
 *   `MessagePort` it will use from then on); `{ t: 'drained', id }` after it posted everything it
 *   held, in answer to a `drain`.
 * - owner → worker: `{ t: 'config', config }` (a {@link PortableLogConfig}) after the hello and
 *   after every configuration change; `{ t: 'drain', id }` when the owner flushes or shuts down.
 */
export const LOG_ENVELOPE = 'mvx-logs';

/**
 * File rotation helpers of `FileSink`: shifting `app.log.N` names and gzipping a rotated file.
 *
 * Internal: not re-exported.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Moves `path` to `path.1` after shifting `path.i` (and `path.i.gz`) to `path.(i+1)` and deleting
 * `path.maxFiles` (and its `.gz`). The active file must be closed.
 */
export async function shiftRotatedFiles(path: string, maxFiles: number): Promise<void> {
  await rm(`${path}.${maxFiles}`, { force: true });
  await rm(`${path}.${maxFiles}.gz`, { force: true });
  for (let i = maxFiles - 1; i >= 1; i--) {
    await renameIfExists(`${path}.${i}`, `${path}.${i + 1}`);
    await renameIfExists(`${path}.${i}.gz`, `${path}.${i + 1}.gz`);
  }
  await rename(path, `${path}.1`);
}

/** Gzips `file` into `file.gz`, then removes `file`. On failure the partial `.gz` is removed and `file` kept. */
export async function gzipFile(file: string): Promise<void> {
  try {
    await pipeline(createReadStream(file), createGzip(), createWriteStream(`${file}.gz`, { flags: 'w' }));
  } catch (err) {
    await rm(`${file}.gz`, { force: true }).catch(() => {});
    throw err;
  }
  await rm(file, { force: true });
}

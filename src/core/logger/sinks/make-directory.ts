/**
 * `mkdir -p` for `FileSink`, one level at a time. Node's `mkdir(path, { recursive: true })` never
 * returns under `/proc` (creating `/proc/x` fails with ENOENT although `/proc` exists, and the
 * recursive walk retries for ever, in the async and the sync form alike); walking up at most once per
 * path component ends with the system's error instead. Internal.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Creates `dir` and its missing parents. Rejects with the system error (ENOENT where a level cannot be made). */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    if (code(err) === 'EEXIST') return; // a file there makes the open that follows fail, naming it
    const parent = dirname(dir);
    if (code(err) !== 'ENOENT' || parent === dir) throw err;
    await makeDirectory(parent);
    try {
      await mkdir(dir); // once: ENOENT again (under /proc) is the answer
    } catch (again) {
      if (code(again) !== 'EEXIST') throw again;
    }
  }
}

/** {@link makeDirectory}, synchronously (the exit path). Throws the system error. */
export function makeDirectorySync(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    if (code(err) === 'EEXIST') return;
    const parent = dirname(dir);
    if (code(err) !== 'ENOENT' || parent === dir) throw err;
    makeDirectorySync(parent);
    try {
      mkdirSync(dir);
    } catch (again) {
      if (code(again) !== 'EEXIST') throw again;
    }
  }
}

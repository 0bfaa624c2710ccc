/**
 * Runs an example through the command the docs give, `npm run example -- <name>`: the tests call
 * the script that npm script runs (`node --enable-source-maps scripts/example.ts <name>`), on this
 * Node (the project's Node 24 under `npm test`), from the repository root.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface ExampleRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runExample(name: string, options: { args?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ExampleRun> {
  const argv = ['--enable-source-maps', join(root, 'scripts', 'example.ts'), name, ...(options.args ?? [])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      argv,
      { cwd: root, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Runs an example and returns its output; rejects (with its stderr) when it does not exit 0. */
export async function exampleOutput(name: string, options?: Parameters<typeof runExample>[1]): Promise<{ stdout: string; stderr: string }> {
  const res = await runExample(name, options);
  if (res.code !== 0) throw new Error(`npm run example -- ${name} exited ${res.code ?? res.signal}\n${res.stderr}`);
  return res;
}

/**
 * `configureFromFile(path)`: a document from a file (see `read-file.ts`), built by `configure`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { configure } from './build.ts';
import type { ConfigureOptions } from './build.ts';
import { CONFIG_PATH_ENV } from './environment.ts';
import { ConfigDocumentError } from './errors.ts';
import { readConfigFile } from './read-file.ts';
import type { MvxSystem } from './system.ts';

export { readConfigFile } from './read-file.ts';

/**
 * Reads the document at `path` (JSON, or YAML by extension) and {@link configure}s it; errors name
 * the file and the path in it (`config/app.yaml: contexts["orders.api"].sink: unknown sink "audit" ...`).
 *
 * @param path @default the `MVX_CONFIG` environment variable (of `options.env`)
 * @throws ConfigDocumentError (rejects) as `configure`, or when there is no path and `MVX_CONFIG` is unset.
 */
export async function configureFromFile(path?: string, options: ConfigureOptions = {}): Promise<MvxSystem> {
  const chosen = path ?? (options.env ?? process.env)[CONFIG_PATH_ENV];
  if (chosen === undefined || chosen.trim() === '') {
    throw new ConfigDocumentError(CONFIG_PATH_ENV, 'no configuration file: pass a path or set MVX_CONFIG');
  }
  const document = await readConfigFile(chosen);
  return configure(document, { ...options, file: options.file ?? resolve(chosen) });
}

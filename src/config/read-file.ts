/**
 * Reading a configuration document from a file: JSON (`.json`), or YAML (`.yaml`, `.yml`) through
 * the `yaml` package (an optional peer dependency, loaded only for a YAML file).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ConfigDocumentError } from './errors.ts';

/**
 * Reads and parses a document (not validated).
 * @throws ConfigDocumentError (path `(document)`, naming the file) when it cannot be read or parsed,
 *   or when `yaml` is needed and not installed.
 */
export async function readConfigFile(path: string): Promise<unknown> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigDocumentError('(document)', `cannot be read: ${(error as Error).message}`, { file, cause: error });
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    let yaml: { parse(text: string, options?: object): unknown };
    try {
      yaml = await import('yaml');
    } catch (error) {
      throw new ConfigDocumentError('(document)', 'is YAML, which needs the optional peer dependency `yaml` (npm install yaml)', { file, cause: error });
    }
    try {
      // Plain JSON-compatible data: no custom tags, unique keys.
      return yaml.parse(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
    } catch (error) {
      throw new ConfigDocumentError('(document)', `is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { file, cause: error });
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigDocumentError('(document)', `is not valid JSON: ${(error as Error).message}`, { file, cause: error });
  }
}

/**
 * The validator and the published JSON Schema come from one description (src/config/document-schema.ts).
 * This checks they agree on a corpus: every valid document passes both; every invalid one fails the
 * validator with the message the corpus states (naming the path) and fails the JSON Schema too,
 * except the problems a JSON Schema cannot express (references between sinks and recorders, cycles,
 * duplicate names, the core's own semantic checks), marked `"schema": false` in the corpus.
 *
 * The JSON Schema is checked with Ajv 6 (draft-07), which eslint already brings into node_modules.
 */
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configJsonSchema, validateConfig } from '../../src/config/index.ts';

interface Ajv {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
}
const AjvClass = createRequire(import.meta.url)('ajv') as new (options?: object) => Ajv;
const schemaCheck = new AjvClass({ allErrors: true }).compile(configJsonSchema());

const corpus = join(import.meta.dirname, 'corpus');
const validFiles = readdirSync(join(corpus, 'valid')).sort();
const invalid = JSON.parse(readFileSync(join(corpus, 'invalid.json'), 'utf8')) as { name: string; error: string; schema: boolean; document: unknown }[];

function load(file: string): unknown {
  const text = readFileSync(join(corpus, 'valid', file), 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

describe('validator and JSON Schema agree on the corpus', () => {
  it('the corpus is not empty', () => {
    expect(validFiles.length).toBeGreaterThanOrEqual(4);
    expect(invalid.length).toBeGreaterThanOrEqual(40);
  });

  it.each(validFiles)('valid: %s passes both', (file) => {
    const doc = load(file);
    expect(() => validateConfig(doc)).not.toThrow();
    expect(schemaCheck(doc), JSON.stringify(schemaCheck.errors)).toBe(true);
  });

  it.each(invalid.map((c) => [c.name, c] as const))('invalid: %s', (_name, c) => {
    expect(() => validateConfig(c.document)).toThrow(c.error);
    expect(schemaCheck(c.document)).toBe(!c.schema);
  });

  it('the YAML documents of docs/configuration.md pass both', () => {
    const md = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]!) as unknown);
    expect(blocks.length).toBeGreaterThan(0);
    for (const doc of blocks) {
      expect(() => validateConfig(doc)).not.toThrow();
      expect(schemaCheck(doc)).toBe(true);
    }
  });

  it('the shipped schema file is the generated one (npm run schema)', () => {
    const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'config.schema.json'), 'utf8')) as unknown;
    expect(shipped).toEqual(configJsonSchema());
  });
});

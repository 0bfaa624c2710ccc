/**
 * `npm run schema`: writes `schema/config.schema.json` (shipped as `mvx-common/config.schema.json`)
 * from the configuration document's description, the same one the validator uses.
 * test/config/json-schema.test.ts fails when the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../src/config/json-schema.ts';

const out = join(import.meta.dirname, '..', 'schema', 'config.schema.json');
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);

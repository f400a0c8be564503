// Writes packages/otel/config.schema.json from the zod schema of the config
// file, so editors can validate and complete costctl.config.json.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchemas } from '../packages/otel/dist/config/schema.js';

const schema = z.toJSONSchema(configSchemas(z).fileConfigSchema, { target: 'draft-2020-12', io: 'input' });
schema.$id = 'https://www.npmjs.com/package/@costctl/otel/config.schema.json';
schema.title = 'costctl configuration';
writeFileSync(new URL('../packages/otel/config.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);

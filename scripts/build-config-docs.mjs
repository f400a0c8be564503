// Writes the reference tables of docs/configuration.md from the built
// @costctl/otel (run `npm run build` first): every environment variable and
// every config-file key. With --check it writes nothing and exits 1 when the
// page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { variablesReadElsewhere } from '../packages/otel/dist/config/env.js';
import { configSchemas } from '../packages/otel/dist/config/schema.js';
import { loadConfig } from '../packages/otel/dist/index.js';
import { ENV_END, ENV_START, environmentRows, KEYS_END, KEYS_START, keyRows, renderEnvironmentTable, renderKeyTable } from './config-reference.mjs';
import { replaceSection } from './doc-sections.mjs';

/** docs/configuration.md as the code says it should be. */
export function renderConfigurationPage(page) {
  const jsonSchema = z.toJSONSchema(configSchemas(z).fileConfigSchema, { target: 'draft-2020-12', io: 'input' });
  const environment = environmentRows({ loadConfig, variablesReadElsewhere, jsonSchema });
  const defaults = { ...loadConfig({ env: {}, cwd: '/' }), stateDir: '.costctl' };
  const withEnv = replaceSection(page, ENV_START, ENV_END, renderEnvironmentTable(environment), 'docs/configuration.md');
  return replaceSection(withEnv, KEYS_START, KEYS_END, renderKeyTable(keyRows({ jsonSchema, environment, defaults })), 'docs/configuration.md');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../docs/configuration.md', import.meta.url);
  const page = readFileSync(path, 'utf8');
  const updated = renderConfigurationPage(page);
  if (process.argv.includes('--check')) {
    if (updated !== page) {
      console.error('docs/configuration.md: the reference tables are out of date; run npm run build:docs');
      process.exit(1);
    }
  } else if (updated !== page) {
    writeFileSync(path, updated);
  }
}

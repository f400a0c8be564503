// Writes the provider table of README.md from the provider registry of the
// built @costctl/otel (run `tsc -b packages/otel` first). With --check it
// writes nothing and exits 1 when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { listAdapters } from '../packages/otel/dist/providers/registry.js';
import { renderProviderTable, withProviderTable } from './provider-table.mjs';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const updated = withProviderTable(readme, renderProviderTable(listAdapters()));
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md: the provider table is out of date; run npm run build:providers');
    process.exit(1);
  }
} else if (updated !== readme) {
  writeFileSync(path, updated);
}

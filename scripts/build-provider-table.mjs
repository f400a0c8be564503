// Writes the provider table of docs/providers.md from the provider registry
// of the built @costctl/otel (run `tsc -b packages/otel` first). With --check
// it writes nothing and exits 1 when the page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { listAdapters } from '../packages/otel/dist/providers/registry.js';
import { renderProviderTable, withProviderTable } from './provider-table.mjs';

const path = new URL('../docs/providers.md', import.meta.url);
const page = readFileSync(path, 'utf8');
const updated = withProviderTable(page, renderProviderTable(listAdapters()));
if (process.argv.includes('--check')) {
  if (updated !== page) {
    console.error('docs/providers.md: the provider table is out of date; run npm run build:providers');
    process.exit(1);
  }
} else if (updated !== page) {
  writeFileSync(path, updated);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAdapters } from '../packages/otel/dist/providers/registry.js';
import { END, renderProviderTable, START, withProviderTable } from '../scripts/provider-table.mjs';
import { repoRoot } from './helpers/run-app.js';

describe('the provider table of docs/providers.md', () => {
  it('is the table the provider registry renders (run npm run build:providers when this fails)', () => {
    const page = readFileSync(join(repoRoot, 'docs/providers.md'), 'utf8');
    const expected = withProviderTable(page, renderProviderTable(listAdapters()));
    // Compare the table itself, so a failure shows the rows that differ.
    const table = (text: string) => text.slice(text.indexOf(START), text.indexOf(END));
    expect(table(page)).toBe(table(expected));
    expect(page).toBe(expected);
  });

  it('has a row for every operation of every adapter', () => {
    const rows = renderProviderTable(listAdapters()).split('\n').slice(2);
    expect(rows).toHaveLength(listAdapters().reduce((total, adapter) => total + adapter.catalog.length, 0));
    expect(rows).toContain('| `cohere` | `api.cohere.com`, `api.cohere.ai` | Chat (v2) | `POST /v2/chat` | SSE |');
  });

  it('escapes a pipe in a cell, and refuses a page without its markers', () => {
    const table = renderProviderTable([{ name: 'a|b', hosts: ['h'], catalog: [{ operation: 'x|y', endpoint: 'POST /z', streaming: 'no' }] }]);
    expect(table.split('\n')[2]).toBe('| `a\\|b` | `h` | x\\|y | `POST /z` | no |');
    expect(() => withProviderTable('# no markers', table)).toThrow(/needs the markers/);
  });
});

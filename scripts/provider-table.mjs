// The provider table of docs/providers.md, rendered from the provider
// registry in code: one row per operation each adapter's `catalog` lists, so
// the table cannot drift from what costctl really observes.
import { cell, replaceSection } from './doc-sections.mjs';

export const START = '<!-- providers:start -->';
export const END = '<!-- providers:end -->';

/**
 * The markdown table of every adapter's operations: provider (its
 * `gen_ai.provider.name`) and hosts on its first row only.
 *
 * @example
 * renderProviderTable([{ name: 'openai', hosts: ['api.openai.com'], catalog: [{ operation: 'Chat', endpoint: 'POST /v1/chat/completions', streaming: 'SSE' }] }])
 */
export function renderProviderTable(adapters) {
  const rows = ['| provider | hosts | operation | endpoint | streaming |', '|---|---|---|---|---|'];
  for (const adapter of adapters) {
    adapter.catalog.forEach((entry, index) => {
      const provider = index === 0 ? `\`${cell(adapter.name)}\`` : '';
      const hosts = index === 0 ? adapter.hosts.map((host) => `\`${cell(host)}\``).join(', ') : '';
      rows.push(`| ${provider} | ${hosts} | ${cell(entry.operation)} | \`${cell(entry.endpoint)}\` | ${cell(entry.streaming)} |`);
    });
  }
  return rows.join('\n');
}

/**
 * `page` with the text between the provider markers replaced by `table`.
 * Throws when the markers are missing, so a moved page fails loudly.
 *
 * @example
 * withProviderTable(page, renderProviderTable(listAdapters()))
 */
export function withProviderTable(page, table) {
  return replaceSection(page, START, END, table, 'docs/providers.md');
}

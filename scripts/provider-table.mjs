// The README's provider table, rendered from the provider registry in code:
// one row per operation each adapter's `catalog` lists, so the table cannot
// drift from what costctl really observes.

export const START = '<!-- providers:start -->';
export const END = '<!-- providers:end -->';

/** A markdown table cell: pipes escaped, so a value cannot break the row. */
function cell(text) {
  return String(text).replaceAll('|', '\\|');
}

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
 * `readme` with the text between the provider markers replaced by `table`.
 * Throws when the markers are missing, so a moved README fails loudly.
 *
 * @example
 * withProviderTable(readme, renderProviderTable(listAdapters()))
 */
export function withProviderTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}, in that order`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

// Generated sections of the docs: the text between two HTML comment markers
// is owned by a script, the rest of the page by its writers.

/**
 * `text` with what lies between `start` and `end` replaced by `content`.
 * Throws when the markers are missing, so a moved or renamed page fails loudly.
 *
 * @example
 * replaceSection(page, '<!-- env:start -->', '<!-- env:end -->', table, 'docs/configuration.md')
 */
export function replaceSection(text, start, end, content, name = 'the page') {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1 || to < from) throw new Error(`${name} needs the markers ${start} and ${end}, in that order`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** A markdown table cell: pipes escaped and line breaks folded, so a value cannot break the row. */
export function cell(text) {
  return String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
}

// Turning runs into the printed report: medians, ratios held to their
// targets, and a plain-text table.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** 'met', 'MISSED', or 'info' for a ratio held to no target. */
export function verdictOf(ratio, target) {
  if (target === undefined) return 'info';
  const met = target.atMost !== undefined ? ratio <= target.atMost : ratio >= target.atLeast;
  return met ? 'met' : 'MISSED';
}

export function formatTarget(target) {
  if (target === undefined) return '-';
  return target.atMost !== undefined ? `<= ${target.atMost.toFixed(2)}x` : `>= ${target.atLeast.toFixed(2)}x`;
}

export function formatRatio(ratio) {
  return `${ratio.toFixed(3)}x`;
}

export function formatNumber(value, digits) {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const COLUMNS = [
  ['measure', 'left'],
  ['raw', 'right'],
  ['costctl', 'right'],
  ['ratio', 'right'],
  ['target', 'right'],
  ['verdict', 'left'],
];

/** Rows of {measure, raw, costctl, ratio, target, verdict} strings as an aligned table; a row {section} is a heading. */
export function formatTable(rows) {
  const cells = rows.filter((row) => row.section === undefined);
  const widths = COLUMNS.map(([name]) => Math.max(name.length, ...cells.map((row) => row[name].length)));
  const line = (values) =>
    COLUMNS.map(([, align], i) => (align === 'left' ? values[i].padEnd(widths[i]) : values[i].padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const out = [line(COLUMNS.map(([name]) => name)), rule];
  for (const row of rows) out.push(row.section !== undefined ? row.section : line(COLUMNS.map(([name]) => row[name])));
  return out.join('\n');
}

/**
 * The table rows, the per-round ratio lines and the verdicts of measured
 * scenarios: each ratio the median of its rounds' ratios.
 */
export function summarise(results) {
  const rows = [];
  const perRound = [];
  const verdicts = [];
  for (const { scenario, rounds } of results) {
    for (const measure of scenario.measures) {
      const ratios = rounds.map((round) => measure.ratioOf(measure.of(round.raw), measure.of(round.costctl)));
      const ratio = median(ratios);
      const verdict = verdictOf(ratio, measure.target);
      const roundsMet = ratios.filter((each) => verdictOf(each, measure.target) === 'met').length;
      const name = `${scenario.title} (${measure.unit})`;
      rows.push({
        measure: name,
        raw: formatNumber(median(rounds.map((round) => measure.of(round.raw))), measure.digits),
        costctl: formatNumber(median(rounds.map((round) => measure.of(round.costctl))), measure.digits),
        ratio: formatRatio(ratio),
        target: formatTarget(measure.target),
        verdict: measure.target === undefined ? verdict : `${verdict} (${roundsMet}/${rounds.length} rounds)`,
      });
      perRound.push(`  ${name}, ${measure.ratioMeans}: ${ratios.map(formatRatio).join(' ')}`);
      if (measure.target !== undefined) verdicts.push({ name, ratioMeans: measure.ratioMeans, ratio, target: measure.target, verdict });
    }
  }
  rows.push({ section: 'with the Prometheus exporter (the default): the verification run, one process, vs the raw median:' });
  for (const { scenario, rounds, verification } of results) {
    for (const measure of scenario.measures.filter((candidate) => candidate.target !== undefined)) {
      const raw = median(rounds.map((round) => measure.of(round.raw)));
      const value = measure.of(verification);
      rows.push({
        measure: `${scenario.title} (${measure.unit})`,
        raw: formatNumber(raw, measure.digits),
        costctl: formatNumber(value, measure.digits),
        ratio: formatRatio(measure.ratioOf(raw, value)),
        target: '-',
        verdict: 'info',
      });
    }
  }
  return { rows, perRound, verdicts };
}

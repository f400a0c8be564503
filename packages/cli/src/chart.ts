/** One bar: its label on the left, its value drawn and then written beside it. */
export interface Bar {
  label: string;
  value: number;
  /** Written after the value: `12 calls`. */
  note?: string;
}

/** A block filled by eighths, so a bar's length is drawn to an eighth of a character. */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';

/** Narrower than this, a bar no longer tells one value from another. */
const MIN_BAR = 10;

/**
 * Horizontal bars, one line each, scaled so the largest fills the space the
 * labels and values leave in `width` columns. A value above zero always
 * shows at least an eighth of a block: spend never looks like none.
 *
 * @example
 * barChart([{ label: '2026-11-01', value: 2 }, { label: '2026-11-02', value: 1 }], { width: 40, format: (v) => `$${v}` })
 * // 2026-11-01  ██████████████████████████  $2
 * // 2026-11-02  █████████████               $1
 */
export function barChart(bars: readonly Bar[], options: { width: number; format: (value: number) => string }): string {
  const labels = bars.map((bar) => bar.label);
  const values = bars.map((bar) => options.format(bar.value));
  const labelWidth = Math.max(0, ...labels.map((label) => label.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  const noteWidth = Math.max(0, ...bars.map((bar) => (bar.note === undefined ? 0 : bar.note.length + 2)));
  const space = Math.max(MIN_BAR, options.width - labelWidth - valueWidth - noteWidth - 4);
  const largest = Math.max(0, ...bars.map((bar) => bar.value));
  return bars
    .map((bar, i) => {
      const drawn = largest > 0 ? blocks(Math.max(0, bar.value) / largest, space) : '';
      const note = bar.note === undefined ? '' : `  ${bar.note}`;
      return `${labels[i]!.padEnd(labelWidth)}  ${drawn.padEnd(space)}  ${values[i]!.padStart(valueWidth)}${note}`.trimEnd();
    })
    .join('\n')
    .concat('\n');
}

/** A share of `space` columns in full blocks and one partial block, at least an eighth when above zero. */
function blocks(share: number, space: number): string {
  const eighths = share === 0 ? 0 : Math.max(1, Math.round(share * space * 8));
  return FULL.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/** A cell that reads as a number: `1,204`, `$0.5`, `-$1.20`, `+1.5%`, `7,000 tokens`, or `-` for none. */
const NUMERIC = /^(-|[-+]?[^\d\s]?\d[\d.,]*(%| [a-z_]+)?)$/;

/**
 * A table with aligned columns and a rule under the header; columns of
 * numbers (counts, amounts, shares) right-aligned, counts grouped by
 * thousands.
 *
 * @example
 * table(['rule', 'spent'], [['daily_usd', '$1.20']])
 * // rule       spent
 * // ---------  -----
 * // daily_usd  $1.20
 */
export function table(header: string[], rows: (string | number)[][]): string {
  const body = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? count(cell) : cell)));
  const widths = header.map((name, i) => Math.max(name.length, ...body.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => body.length > 0 && body.every((row) => NUMERIC.test(row[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')}\n`;
}

/**
 * A count grouped by thousands; a fraction keeps its digits.
 *
 * @example
 * count(12000) // '12,000'
 */
export function count(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
}

/**
 * Dollars with enough digits for the small amounts single calls cost, and
 * thousands grouped for the large ones.
 *
 * @example
 * usd(0.000451) // '$0.000451'
 * usd(1000) // '$1,000.00'
 */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  return Math.abs(amount) >= 1
    ? `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : `$${Number(amount.toPrecision(4))}`;
}

/**
 * A USD amount in the display currency, at the configured rate: `€1.13`.
 *
 * @example
 * inCurrency(1.23, { code: 'EUR', perUsd: 0.92 }) // '€1.13'
 */
export function inCurrency(amountUsd: number, currency: { code: string; perUsd: number }): string {
  const value = amountUsd * currency.perUsd;
  const digits = value === 0 || Math.abs(value) >= 1 ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : { maximumSignificantDigits: 4 };
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.code, ...digits }).format(value);
}

/** An amount in a rule's unit. */
export function amount(value: number, unit: string): string {
  if (unit === 'usd') return usd(value);
  const whole = Math.round(value);
  return `${count(whole)} ${whole === 1 ? unit.replace(/s$/, '') : unit}`;
}

/** CSV with quoting where needed. */
export function csv(header: string[], rows: (string | number)[][]): string {
  const cell = (value: string | number) => (typeof value === 'number' || !/[",\n]/.test(value) ? String(value) : `"${value.replace(/"/g, '""')}"`);
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** A table with aligned columns; numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? String(cell) : cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || /^[\d.,$%-]+$/.test(String(row[i]))));
  return `${cells
    .map((row) =>
      row
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Dollars with enough digits for the small amounts single calls cost. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  return Math.abs(amount) >= 1 ? `$${amount.toFixed(2)}` : `$${Number(amount.toPrecision(4))}`;
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
  return unit === 'usd' ? usd(value) : `${Math.round(value)} ${unit}`;
}

/** CSV with quoting where needed. */
export function csv(header: string[], rows: (string | number)[][]): string {
  const cell = (value: string | number) => (typeof value === 'number' || !/[",\n]/.test(value) ? String(value) : `"${value.replace(/"/g, '""')}"`);
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

import { table, usd } from '../format.js';
import type { ReconciledRow, Reconciliation } from './compare.js';

/** One adjustment written by `--adjust`, as reported. */
export interface AppliedAdjustment {
  day: string;
  model: string | null;
  amountUsd: number;
  /** The budget rules whose spend moved. */
  rules: string[];
}

/** Shown for charges not billed per model. */
export const NOT_PER_MODEL = '(not per model)';

/**
 * The reconciliation as a person reads it: a table of every day and model,
 * then what explains each difference beyond the tolerance, then the totals.
 *
 * @example
 * out(renderText(result, []));
 */
export function renderText(result: Reconciliation, adjustments: readonly AppliedAdjustment[]): string {
  const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;
  const local = result.source === 'fleet' ? 'fleet' : 'ledger';
  const against = result.source === 'fleet' ? "against the fleet's spend (every host, from the store's aggregates)" : "against this host's ledger";
  let text = `costctl reconcile: ${result.provider}, UTC days ${result.from} to ${result.to}, tolerance ${percent(result.tolerance)}, ${against}\n\n`;
  if (result.rows.length === 0) return `${text}nothing in the ${local === 'fleet' ? "fleet's spend" : 'ledger'} and nothing billed in that period\n`;
  text += table(
    ['day', 'model', 'calls', local, 'billed', 'difference', '%', 'status'],
    result.rows.map((row) => [
      row.day,
      row.model ?? NOT_PER_MODEL,
      row.local?.calls ?? 0,
      usd(row.localUsd),
      usd(row.billedUsd),
      signed(row.differenceUsd),
      row.differenceFraction === null ? '-' : `${row.differenceFraction > 0 ? '+' : ''}${percent(row.differenceFraction)}`,
      row.status === 'mismatch' ? 'BEYOND' : row.status === 'partial' ? 'partial' : 'ok',
    ]),
  );
  const explained = result.rows.filter((row) => row.status !== 'match' && row.explanations.length > 0);
  if (explained.length > 0) text += `\nWhat explains the differences:\n${explained.map((row) => explanation(row, local)).join('')}`;
  const { totals } = result;
  const share = totals.differenceFraction === null ? '' : ` (${totals.differenceFraction > 0 ? '+' : ''}${percent(totals.differenceFraction)})`;
  text += `\ncomplete days: ${local} ${usd(totals.localUsd)}, billed ${usd(totals.billedUsd)}, difference ${signed(totals.differenceUsd)}${share}\n`;
  if (adjustments.length > 0) {
    const total = adjustments.reduce((sum, adjustment) => sum + adjustment.amountUsd, 0);
    text += `adjusted: ${adjustments.length} day/model difference${adjustments.length === 1 ? '' : 's'}, ${signed(total)} in all, now in the ledger and the budgets\n`;
  } else if (result.mismatches > 0) {
    text += `${result.mismatches} of ${result.rows.filter((row) => row.status !== 'partial').length} day/model rows differ by more than ${percent(result.tolerance)}; to make the ledger and budgets follow the bill: costctl reconcile … --adjust --reason "…"\n`;
  } else {
    text += `every complete day is within ${percent(result.tolerance)} of the bill\n`;
  }
  return text;
}

function explanation(row: ReconciledRow, local: string): string {
  const head = `  ${row.day} ${row.model ?? NOT_PER_MODEL}: billed ${usd(row.billedUsd)}, ${local} ${usd(row.localUsd)} (${signed(row.differenceUsd)})\n`;
  return (
    head +
    row.explanations
      .map((said) => {
        const calls = (said.calls ?? [])
          .map((call) => `      ${call.time}  ${call.responseId ?? '(no response id)'}  ${call.outcome}${call.reason ? `  ${call.reason}` : ''}\n`)
          .join('');
        return `    - ${said.text}\n${calls}`;
      })
      .join('')
  );
}

/**
 * A difference with its sign.
 *
 * @example
 * signed(-1.2) // '-$1.20'
 * signed(0.5) // '+$0.5'
 */
export function signed(amount: number): string {
  return amount === 0 ? usd(0) : `${amount < 0 ? '-' : '+'}${usd(Math.abs(amount))}`;
}

/**
 * The reconciliation for scripts: every row with its ledger tally, the bill
 * and the explanations, the totals, the verdict and the adjustments made.
 *
 * @example
 * out(renderJson(result, applied));
 */
export function renderJson(result: Reconciliation, adjustments: readonly AppliedAdjustment[]): string {
  const rows = result.rows.map((row) => ({ ...row, local: row.local ?? null, billed: row.billed ?? null }));
  return `${JSON.stringify({ ...result, rows, verdict: result.mismatches > 0 ? 'mismatch' : 'match', adjustments })}\n`;
}

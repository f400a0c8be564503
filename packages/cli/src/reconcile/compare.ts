/**
 * The ledger against the bill, per UTC day and model: the difference, the
 * verdict against the tolerance, and what in the ledger explains it.
 */
import { type Bill, type DayRange, DAY_MS, utcDay } from './bill.js';
import { type LedgerTally, type NamedCall, rowKey } from './ledger-tally.js';

/** Differences under half a cent never fail the check: invoices are in cents, and so is anyone's attention. */
export const NEGLIGIBLE_USD = 0.005;

export type RowStatus = 'match' | 'mismatch' | 'partial';

export type ExplanationKind =
  | 'not_per_model'
  | 'no_local_calls'
  | 'not_billed'
  | 'unpriced'
  | 'estimated'
  | 'errors'
  | 'blocked'
  | 'tokens'
  | 'price'
  | 'adjusted'
  | 'partial';

/** One fact that explains (part of) a row's difference, with the calls it is about. */
export interface Explanation {
  kind: ExplanationKind;
  text: string;
  calls?: NamedCall[];
}

/** What the provider billed and counted for one day and model. */
export interface BilledRow {
  usd: number;
  /** The provider's names of the charges (line items, descriptions), at most a few. */
  items: string[];
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  requests: number | undefined;
}

export interface ReconciledRow {
  day: string;
  /** Canonical model; null for charges not billed per model. */
  model: string | null;
  status: RowStatus;
  /** The ledger's calls plus earlier adjustments, USD. */
  localUsd: number;
  billedUsd: number;
  /** Billed minus local: positive when the bill is higher. */
  differenceUsd: number;
  /** The difference as a fraction of the bill; null when nothing was billed. */
  differenceFraction: number | null;
  local: LedgerTally | undefined;
  billed: BilledRow | undefined;
  explanations: Explanation[];
}

export interface Totals {
  localUsd: number;
  billedUsd: number;
  differenceUsd: number;
  differenceFraction: number | null;
}

export interface Reconciliation {
  /** `openai`, `anthropic`, or whose bill a file was (`aws.bedrock`). */
  provider: string;
  /** What the bill was compared with: this host's ledger, or every host's spend from the store's aggregates. */
  source: 'ledger' | 'fleet';
  /** First and last UTC day compared. */
  from: string;
  to: string;
  tolerance: number;
  rows: ReconciledRow[];
  /** Over complete days only: partial ones are still being billed. */
  totals: Totals;
  /** Rows of complete days whose difference is beyond the tolerance. */
  mismatches: number;
}

/**
 * Joins the ledger's tallies and the bill by UTC day and model, and judges
 * each row: a day that has not ended by `now` is `partial` (still being
 * billed: shown, never judged); otherwise `mismatch` when the difference is
 * more than `tolerance` of the bill and at least half a cent.
 *
 * @example
 * const result = compare('openai', range, tallies, bill, { tolerance: 0.02, now: Date.now() });
 * process.exitCode = result.mismatches > 0 ? 4 : 0;
 */
export function compare(
  provider: string,
  range: DayRange,
  tallies: Map<string, LedgerTally>,
  bill: Bill,
  options: { tolerance: number; now: number; source?: 'ledger' | 'fleet' },
): Reconciliation {
  const source = options.source ?? 'ledger';
  const billed = billedRows(bill);
  const daysWithCalls = new Set([...tallies.values()].filter((tally) => tally.calls > 0).map((tally) => tally.day));
  const keys = new Set([...tallies.keys(), ...billed.keys()]);
  const rows: ReconciledRow[] = [];
  for (const key of keys) {
    const local = tallies.get(key);
    const bought = billed.get(key);
    const day = local?.day ?? key.slice(0, 10);
    if (Date.parse(day) < range.start || Date.parse(day) >= range.end) continue;
    const model = local ? local.model : key.slice(11) || null;
    const localUsd = (local?.usd ?? 0) + (local?.adjustedUsd ?? 0);
    const billedUsd = bought?.usd ?? 0;
    const differenceUsd = billedUsd - localUsd;
    const partial = Date.parse(day) + DAY_MS > options.now;
    const status: RowStatus = partial ? 'partial' : beyond(differenceUsd, billedUsd, localUsd, options.tolerance) ? 'mismatch' : 'match';
    const row = {
      day,
      model,
      status,
      localUsd,
      billedUsd,
      differenceUsd,
      differenceFraction: billedUsd > 0 ? differenceUsd / billedUsd : null,
      local,
      billed: bought,
    };
    rows.push({ ...row, explanations: explain(row, daysWithCalls.has(day), options.tolerance, source) });
  }
  rows.sort((a, b) => (a.day === b.day ? order(a.model) - order(b.model) || (a.model ?? '').localeCompare(b.model ?? '') : a.day < b.day ? -1 : 1));
  const complete = rows.filter((row) => row.status !== 'partial');
  const localUsd = sum(complete.map((row) => row.localUsd));
  const billedUsd = sum(complete.map((row) => row.billedUsd));
  return {
    provider,
    source,
    from: utcDay(range.start),
    to: utcDay(range.end - DAY_MS),
    tolerance: options.tolerance,
    rows,
    totals: { localUsd, billedUsd, differenceUsd: billedUsd - localUsd, differenceFraction: billedUsd > 0 ? (billedUsd - localUsd) / billedUsd : null },
    mismatches: rows.filter((row) => row.status === 'mismatch').length,
  };
}

/** Whether a difference counts against the tolerance: a share of the bill (of the ledger when nothing was billed). */
function beyond(difference: number, billed: number, local: number, tolerance: number): boolean {
  const size = Math.abs(difference);
  return size >= NEGLIGIBLE_USD && size > tolerance * (billed > 0 ? billed : Math.abs(local));
}

/** The bill summed by day and model: costs with their item names, and usage. */
function billedRows(bill: Bill): Map<string, BilledRow> {
  const rows = new Map<string, BilledRow>();
  const row = (day: string, model: string | null) => {
    const key = rowKey(day, model);
    let found = rows.get(key);
    if (found === undefined) {
      found = { usd: 0, items: [], inputTokens: undefined, outputTokens: undefined, requests: undefined };
      rows.set(key, found);
    }
    return found;
  };
  for (const cost of bill.costs) {
    const found = row(cost.day, cost.model);
    found.usd += cost.usd;
    if (cost.item !== null && !found.items.includes(cost.item) && found.items.length < 5) found.items.push(cost.item);
  }
  for (const usage of bill.usage) {
    const found = row(usage.day, usage.model);
    found.inputTokens = (found.inputTokens ?? 0) + usage.inputTokens;
    found.outputTokens = (found.outputTokens ?? 0) + usage.outputTokens;
    if (usage.requests !== undefined) found.requests = (found.requests ?? 0) + usage.requests;
  }
  return rows;
}

type Judged = Omit<ReconciledRow, 'explanations'>;

/** The facts of the ledger and the bill that account for a row's difference, most telling first. */
function explain(row: Judged, dayHasCalls: boolean, tolerance: number, source: 'ledger' | 'fleet'): Explanation[] {
  const { local, billed } = row;
  const said: Explanation[] = [];
  const where = source === 'fleet' ? "the fleet's spend" : 'the ledger';
  if (row.status === 'partial') said.push({ kind: 'partial', text: 'the day (UTC) is not over: its bill is still growing, so it is shown but not judged' });
  if (row.model === null && (billed?.usd ?? 0) !== 0) {
    said.push({
      kind: 'not_per_model',
      text: `charges not billed per model (${billed?.items.join('; ') || 'no description'}): costctl meters calls, not these`,
    });
  } else if ((local?.calls ?? 0) === 0 && (billed?.usd ?? 0) > 0) {
    said.push({
      kind: 'no_local_calls',
      text: dayHasCalls
        ? `billed, but no call of this model in ${where}: traffic from processes or keys without costctl`
        : source === 'fleet'
          ? "billed, but no call at all in the fleet's spend that day: traffic from processes without costctl, or from before the fleet kept aggregates"
          : 'billed, but no call at all in the ledger that day: traffic from processes without costctl (or the ledger was off, COSTCTL_LEDGER=false)',
    });
  } else if ((local?.calls ?? 0) > 0 && (billed?.usd ?? 0) === 0) {
    said.push({
      kind: 'not_billed',
      text: `in ${where}, not billed: calls to a proxy or self-hosted server (COSTCTL_ENDPOINTS), another organization's key, or a report not yet complete`,
    });
  }
  if (local !== undefined) {
    if (local.unpriced.count > 0) {
      const reasons = Object.entries(local.unpriced.reasons)
        .map(([reason, count]) => `${reason} ×${count}`)
        .join(', ');
      said.push({
        kind: 'unpriced',
        text: `${count(local.unpriced.count, 'call')} unpriced (${reasons}): in the ledger at $0 — add their prices under "prices" in the config`,
        calls: local.unpriced.calls,
      });
    }
    if (local.estimated.count > 0) {
      said.push({
        kind: 'estimated',
        text: `${count(local.estimated.count, 'stream')} cut before the provider's usage arrived, estimated at $${round(local.estimated.usd)}`,
        calls: local.estimated.calls,
      });
    }
    if (local.errors.count > 0) {
      said.push({
        kind: 'errors',
        text: `${count(local.errors.count, 'call')} ended in an error: billed when the provider did the work before failing`,
        calls: local.errors.calls,
      });
    }
    if (local.blocked > 0) said.push({ kind: 'blocked', text: `${count(local.blocked, 'call')} blocked by costctl: never sent, never billed` });
    if (local.adjustments > 0)
      said.push({ kind: 'adjusted', text: `includes ${count(local.adjustments, 'adjustment')} of $${round(local.adjustedUsd)} (costctl reconcile --adjust)` });
    // The aggregates sum adjustments without counting them.
    else if (local.adjustedUsd !== 0)
      said.push({ kind: 'adjusted', text: `includes $${round(local.adjustedUsd)} of adjustments (costctl reconcile --adjust)` });
  }
  said.push(...usage(row, tolerance, source));
  return said;
}

/** What the provider's token counts say: calls costctl did not see, or the same tokens at another price. */
function usage(row: Judged, tolerance: number, source: 'ledger' | 'fleet'): Explanation[] {
  const { local, billed } = row;
  if (local === undefined || local.calls === 0 || billed?.inputTokens === undefined || billed.outputTokens === undefined) return [];
  const billedTokens = billed.inputTokens + billed.outputTokens;
  const localTokens = local.inputTokens + local.outputTokens;
  if (Math.abs(billedTokens - localTokens) > tolerance * Math.max(billedTokens, 1)) {
    const requests = billed.requests === undefined ? '' : ` in ${count(billed.requests, 'request')}`;
    const why =
      billedTokens > localTokens ? 'calls costctl did not see' : "calls the provider did not count (cut early, or made with another organization's key)";
    return [
      {
        kind: 'tokens',
        text: `billed ${billedTokens} tokens${requests}; ${source === 'fleet' ? "the fleet's spend" : 'the ledger'} has ${localTokens} in ${count(local.calls - local.blocked, 'call')} sent: ${why}`,
      },
    ];
  }
  // Unpriced and estimated calls already account for a price gap; otherwise the price itself differs.
  if (row.status === 'mismatch' && local.unpriced.count === 0 && local.estimated.count === 0) {
    return [
      {
        kind: 'price',
        text: `the same tokens (${billedTokens}) at another price: check "prices" overrides, the service tier (batch, flex, priority) and the price data version`,
      },
    ];
  }
  return [];
}

function order(model: string | null): number {
  return model === null ? 1 : 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function round(usd: number): string {
  return String(Number(usd.toPrecision(4)));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

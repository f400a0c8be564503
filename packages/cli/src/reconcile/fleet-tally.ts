import type { CostctlState } from '@costctl/otel';
import { UsageError } from '../command.js';
import { checkKept, fleetDays, readWindows } from '../fleet.js';
import { type Bill, type DayRange, utcDay } from './bill.js';
import { type LedgerTally, rowKey } from './ledger-tally.js';

/**
 * The one row per day of a reconciliation from the fleet's aggregates: they
 * keep a provider's spend per day and a model's per day, but not the two
 * crossed (a model name can be served by several providers), so the day's
 * whole bill is compared with the day's whole spend with that provider.
 */
export const ALL_MODELS = '(all models)';

/**
 * What every host spent with `provider` on each UTC day of `range`, from
 * the store's window aggregates, as tallies of one row per day
 * (`ALL_MODELS`): calls, USD, tokens, and the adjustments already made.
 * Refuses (UsageError) a zone whose days are not UTC days, since bills are
 * per UTC day, and days older than the aggregates keep.
 *
 * @example
 * const tallies = await tallyFleet(state, 'openai', dayRange(since, until), Date.now());
 */
export async function tallyFleet(
  state: Pick<CostctlState, 'readAggregates' | 'aggregatesKept' | 'config'>,
  provider: string,
  range: DayRange,
  now: number,
): Promise<Map<string, LedgerTally>> {
  const { timezone } = state.config;
  const days = fleetDays(range.start, range.end, timezone);
  const offset = days.find((day) => day.date !== utcDay(day.start) || day.start !== Date.parse(day.date) || day.end !== Date.parse(day.date) + 86_400_000);
  if (offset !== undefined) {
    throw new UsageError(
      `the fleet's aggregates keep days of ${timezone} (${offset.date} starts at ${new Date(offset.start).toISOString()}), and providers bill by UTC day: ` +
        "reconciling with the fleet's spend needs COSTCTL_TIMEZONE=UTC (a zone at UTC+0 over the period), or --source ledger to compare this host's calls (without --adjust)",
    );
  }
  checkKept(days, state, now, 'the period');
  const windows = await readWindows(
    state,
    days.map((day) => day.prefix),
    now,
  );
  const tallies = new Map<string, LedgerTally>();
  windows.forEach((window, i) => {
    const spent = window.get(`provider=${provider}`);
    if (spent === undefined) return;
    const adjusted = window.get(`adjusted:provider=${provider}`)?.usd ?? 0;
    const { date } = days[i]!;
    const group = () => ({ count: 0, usd: 0, calls: [] });
    tallies.set(rowKey(date, ALL_MODELS), {
      day: date,
      model: ALL_MODELS,
      calls: spent.requests,
      usd: spent.usd - adjusted,
      adjustedUsd: adjusted,
      adjustments: 0,
      // The aggregates keep tokens as one sum: compared with the bill's input and output together.
      inputTokens: spent.tokens,
      outputTokens: 0,
      estimated: group(),
      unpriced: { ...group(), reasons: {} },
      errors: group(),
      blocked: 0,
    });
  });
  return tallies;
}

/**
 * The bill as one row per day (`ALL_MODELS`): every charge of the day, per
 * model or not, against the fleet's spend of that day.
 *
 * @example
 * compare('openai', range, tallies, wholeDays(bill), options)
 */
export function wholeDays(bill: Bill): Bill {
  return {
    costs: bill.costs.map((cost) => ({ ...cost, model: ALL_MODELS })),
    usage: bill.usage.map((usage) => ({ ...usage, model: ALL_MODELS })),
  };
}

/**
 * The ledger's tallies as one row per day (`ALL_MODELS`), for a bill that
 * names no model costctl knows: every model's calls and adjustments summed.
 *
 * @example
 * compare('aws.bedrock', range, wholeDayTallies(await tallyLedger(entries, 'aws.bedrock')), bill, options)
 */
export function wholeDayTallies(tallies: Map<string, LedgerTally>): Map<string, LedgerTally> {
  const days = new Map<string, LedgerTally>();
  for (const tally of tallies.values()) {
    const key = rowKey(tally.day, ALL_MODELS);
    const day = days.get(key);
    if (day === undefined) {
      days.set(key, {
        ...tally,
        model: ALL_MODELS,
        estimated: { ...tally.estimated, calls: [...tally.estimated.calls] },
        unpriced: { ...tally.unpriced, calls: [...tally.unpriced.calls], reasons: { ...tally.unpriced.reasons } },
        errors: { ...tally.errors, calls: [...tally.errors.calls] },
      });
      continue;
    }
    day.calls += tally.calls;
    day.usd += tally.usd;
    day.adjustedUsd += tally.adjustedUsd;
    day.adjustments += tally.adjustments;
    day.inputTokens += tally.inputTokens;
    day.outputTokens += tally.outputTokens;
    day.blocked += tally.blocked;
    for (const kind of ['estimated', 'unpriced', 'errors'] as const) {
      day[kind].count += tally[kind].count;
      day[kind].usd += tally[kind].usd;
      day[kind].calls.push(...tally[kind].calls.slice(0, Math.max(0, 5 - day[kind].calls.length)));
    }
    for (const [reason, count] of Object.entries(tally.unpriced.reasons)) day.unpriced.reasons[reason] = (day.unpriced.reasons[reason] ?? 0) + count;
  }
  return days;
}

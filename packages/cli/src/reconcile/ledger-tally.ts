import type { LedgerEntry } from '@costctl/otel';
import { canonicalModel } from './bill.js';

/** A call of the ledger that explains part of a difference, named so an operator can find it. */
export interface NamedCall {
  time: string;
  /** The provider's id of the response, to look it up in the provider's logs; null when there was none. */
  responseId: string | null;
  outcome: LedgerEntry['outcome'];
  costUsd: number | null;
  /** Why it is unpriced, when it is. */
  reason: string | null;
}

/** A set of calls of one kind: how many, what they cost, and the first few by name. */
export interface CallGroup {
  count: number;
  usd: number;
  calls: NamedCall[];
}

/** What the ledger holds for one provider, UTC day and model. */
export interface LedgerTally {
  day: string;
  /** Canonical model (see canonicalModel); null for adjustments of charges not billed per model. */
  model: string | null;
  calls: number;
  /** Cost of the calls, USD. */
  usd: number;
  /** Sum of the adjustment entries (`costctl reconcile --adjust`), USD. */
  adjustedUsd: number;
  adjustments: number;
  inputTokens: number;
  outputTokens: number;
  estimated: CallGroup;
  unpriced: CallGroup & { reasons: Record<string, number> };
  errors: CallGroup;
  blocked: number;
}

/** How many calls of each kind are named; the rest are counted. */
const NAMED = 5;

/**
 * The key of a day and model in tallies and bills.
 *
 * @example
 * rowKey('2026-11-20', 'gpt-4o-mini') // '2026-11-20 gpt-4o-mini'
 */
export function rowKey(day: string, model: string | null): string {
  return `${day} ${model ?? ''}`;
}

/**
 * The ledger's calls and adjustments for `provider`, summed by UTC day and
 * model (the model the response reports, else the one asked for).
 *
 * @example
 * const tallies = await tallyLedger(readLedger(config.stateDir, { since, until }), 'openai');
 */
export async function tallyLedger(entries: AsyncIterable<LedgerEntry>, provider: string): Promise<Map<string, LedgerTally>> {
  const tallies = new Map<string, LedgerTally>();
  for await (const entry of entries) {
    if (entry.provider !== provider) continue;
    const adjustment = entry.kind === 'adjustment';
    const day = adjustment ? (entry.adjustment?.day ?? entry.time.slice(0, 10)) : entry.time.slice(0, 10);
    const model = adjustment ? entry.model : canonicalModel(entry.response_model ?? entry.model ?? '(unknown)');
    const key = rowKey(day, model);
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = emptyTally(day, model);
      tallies.set(key, tally);
    }
    if (adjustment) {
      tally.adjustments += 1;
      tally.adjustedUsd += entry.cost_usd ?? 0;
      continue;
    }
    tally.calls += 1;
    tally.usd += entry.cost_usd ?? 0;
    tally.inputTokens += entry.tokens?.input ?? 0;
    tally.outputTokens += entry.tokens?.output ?? 0;
    if (entry.outcome === 'blocked') tally.blocked += 1;
    else if (entry.outcome === 'error') add(tally.errors, entry);
    if (entry.cost_source === 'estimated') add(tally.estimated, entry);
    if (entry.cost_usd === null && entry.outcome !== 'blocked') {
      add(tally.unpriced, entry);
      const reason = entry.unpriced_reason ?? 'unknown';
      tally.unpriced.reasons[reason] = (tally.unpriced.reasons[reason] ?? 0) + 1;
    }
  }
  return tallies;
}

function emptyTally(day: string, model: string | null): LedgerTally {
  const group = (): CallGroup => ({ count: 0, usd: 0, calls: [] });
  return {
    day,
    model,
    calls: 0,
    usd: 0,
    adjustedUsd: 0,
    adjustments: 0,
    inputTokens: 0,
    outputTokens: 0,
    estimated: group(),
    unpriced: { ...group(), reasons: {} },
    errors: group(),
    blocked: 0,
  };
}

function add(group: CallGroup, entry: LedgerEntry): void {
  group.count += 1;
  group.usd += entry.cost_usd ?? 0;
  if (group.calls.length < NAMED) {
    group.calls.push({ time: entry.time, responseId: entry.response_id, outcome: entry.outcome, costUsd: entry.cost_usd, reason: entry.unpriced_reason });
  }
}

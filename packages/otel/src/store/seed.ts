import type { RuleSeed } from './types.js';

/**
 * What a seed raises its counter to: the least, over the rule's scope
 * dimensions, of the sum of that dimension's aggregates in the rule's unit.
 *
 * @example
 * leastSum({ seen, counter, expiresAt, unit: 'usd', from: [['day:2026-12-07|provider=openai']] }, (key) => aggregates.get(key)) // 4.2
 */
export function leastSum(seed: RuleSeed, aggregate: (key: string) => { usd: number; tokens: number; requests: number } | undefined): number {
  let least = Infinity;
  for (const keys of seed.from) {
    let sum = 0;
    for (const key of keys) sum += aggregate(key)?.[seed.unit] ?? 0;
    least = Math.min(least, sum);
  }
  return Number.isFinite(least) ? least : 0;
}

import type { CallCost } from '../model/cost.js';

/**
 * The tokens a call was billed for, as token budget rules count them: its
 * input and output, plus those of the steps billed outside its top-level
 * usage (Anthropic's `compaction`, an advisor's sub-call). Steps that make
 * up the usage (Groq's compound systems) are not in `steps`, so they are
 * never counted twice.
 *
 * @example
 * billedTokens({ usage: { input: 229, output: 5, … }, steps: [{ kind: 'compaction', usage: { input: 55196, output: 131, … } }], … })
 * // 55561
 */
export function billedTokens(cost: Pick<CallCost, 'usage' | 'steps'>): number {
  let tokens = cost.usage.input + cost.usage.output;
  for (const step of cost.steps ?? []) tokens += step.usage.input + step.usage.output;
  return tokens;
}

import { OutputEstimator } from '../output-estimate.js';
import type { ResponseFacts, TokenUsage } from '../types.js';

/**
 * What a Cohere chat stream has told so far, v2's SSE and v1's JSON Lines
 * alike: the response id, the usage of its last event, an output estimate
 * from the text it carried, and whether that last event came. No Cohere
 * stream names its model: the request's is priced.
 *
 * @example
 * const seen = new CohereStreamFacts();
 * seen.estimate.addDelta(5);
 * seen.facts() // { usage: undefined, outputTokenEstimate: 2, … }
 */
export class CohereStreamFacts {
  readonly estimate = new OutputEstimator();
  responseId: string | undefined;
  usage: TokenUsage | undefined;
  /** The stream's last event (v2 `message-end`, v1 `stream-end`) arrived: the call is complete. */
  ended = false;

  facts(): ResponseFacts {
    const facts: ResponseFacts = {
      model: undefined,
      responseId: this.responseId,
      usage: this.usage,
      usageComplete: this.usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.estimate.tokens,
    };
    return this.ended ? { ...facts, complete: true } : facts;
  }
}

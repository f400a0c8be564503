import type { ResponseFacts, TokenUsage } from '../types.js';

/** What Bedrock says about an answer outside the model's own body. */
export interface BedrockNames {
  /** The model id the path named. */
  model: string | undefined;
  /** `x-amzn-requestid`. */
  requestId: string | undefined;
}

/**
 * The facts of a Bedrock answer as costctl prices them: the model the path
 * named (it keeps the inference profile the price depends on), else the
 * body's; the body's response id, else `x-amzn-requestid`; and usage Bedrock
 * reported itself (InvokeModel's headers, a stream's invocation metrics),
 * when it did, over whatever the model's body said.
 *
 * @example
 * bedrockFacts(bodyFacts, { model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', requestId }, headerUsage(header))
 */
export function bedrockFacts(facts: ResponseFacts, names: BedrockNames, reported: TokenUsage | undefined): ResponseFacts {
  const named = { ...facts, model: names.model ?? facts.model, responseId: facts.responseId ?? names.requestId };
  return reported === undefined ? named : { ...named, usage: reported, usageComplete: true };
}

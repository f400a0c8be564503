import { tokensFromChars } from './text-size.js';
import type { OperationName, RequestFacts } from './types.js';
import { isRecord, type JsonRecord, stringAt } from './wire-values.js';

/** What each provider reads from its own request body; the rest is common. */
export interface RequestShape {
  maxOutputTokens(body: JsonRecord): number | undefined;
  inputTokenEstimate(body: JsonRecord): number;
}

/**
 * The facts of a request body: model, stream flag, output cap and input
 * estimate. Never throws: an unreadable body gives bodyLength / 4.
 *
 * @example
 * requestFacts({ operation: 'chat', api: 'messages' }, body, 98, anthropicRequestShape)
 */
export function requestFacts(call: { operation: OperationName; api: string }, body: unknown, bodyLength: number, shape: RequestShape): RequestFacts {
  if (!isRecord(body)) return unreadable(call, bodyLength);
  try {
    return {
      operation: call.operation,
      api: call.api,
      model: stringAt(body, 'model'),
      stream: body['stream'] === true,
      maxOutputTokens: shape.maxOutputTokens(body),
      inputTokenEstimate: shape.inputTokenEstimate(body),
      serviceTier: stringAt(body, 'service_tier'),
    };
  } catch {
    return unreadable(call, bodyLength);
  }
}

function unreadable(call: { operation: OperationName; api: string }, bodyLength: number): RequestFacts {
  return {
    operation: call.operation,
    api: call.api,
    model: undefined,
    stream: false,
    maxOutputTokens: undefined,
    inputTokenEstimate: tokensFromChars(bodyLength),
  };
}

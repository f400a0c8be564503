import { guardReader } from '../guarded-reader.js';
import { openAiChatReader } from '../openai/compatible.js';
import type { CatalogEntry, HeaderLookup, ProviderAdapter, RequestFacts, ResponseReader } from '../types.js';
import { matchBedrockCall } from './calls.js';
import { ConverseStreamReader } from './converse-stream.js';
import { BedrockJsonReader, converseJsonShape, invokeJsonShape } from './json-response.js';
import { InvokeStreamReader } from './invoke-stream.js';
import { readBedrockRequest } from './request.js';
import { headerUsage } from './usage.js';

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * AWS Bedrock's runtime API: Converse and InvokeModel, as JSON or as the
 * binary event stream, on every regional host (and its FIPS twin). The
 * model is named in the path; its price is looked up under `aws` in
 * `@pydantic/genai-prices`, inference profiles (`us.`, `global.`) included.
 *
 * @example
 * bedrockAdapter.matchCall('POST', '/model/amazon.nova-lite-v1%3A0/converse-stream')
 * // { operation: 'chat', api: 'converse_stream', model: 'amazon.nova-lite-v1:0' }
 */
export const bedrockAdapter: ProviderAdapter = Object.freeze({
  name: 'aws.bedrock',
  pricingId: 'aws',
  hosts: Object.freeze(['bedrock-runtime.*.amazonaws.com', 'bedrock-runtime-fips.*.amazonaws.com']),
  catalog: Object.freeze<CatalogEntry[]>([
    { operation: 'Converse', endpoint: 'POST /model/{modelId}/converse', streaming: 'no' },
    { operation: 'ConverseStream', endpoint: 'POST /model/{modelId}/converse-stream', streaming: 'event stream' },
    { operation: 'InvokeModel', endpoint: 'POST /model/{modelId}/invoke', streaming: 'no' },
    { operation: 'InvokeModelWithResponseStream', endpoint: 'POST /model/{modelId}/invoke-with-response-stream', streaming: 'event stream' },
    { operation: 'Chat Completions (OpenAI-compatible)', endpoint: 'POST /openai/v1/chat/completions', streaming: 'SSE' },
  ]),
  matchCall: matchBedrockCall,
  readRequest: readBedrockRequest,
  createReader: (request: RequestFacts, contentType: string | undefined, header?: HeaderLookup): ResponseReader =>
    guardReader(bedrockReader(request, contentType, header)),
  // AWS SDKs read the error code from `x-amzn-errortype` and the message from the body.
  errorBody: (_type: string, message: string) => ({ message }),
  errorHeaders: (type: string) => ({ 'x-amzn-errortype': type }),
  stepPricingModel: claudeProfileModel,
});

/** An inference profile's prefix on a Claude model id, or on the id at the end of a profile's ARN: `global.`, `us.`, `eu.`, `us-gov.`… */
const CLAUDE_PROFILE = /(?:^|\/)([a-z]+(?:-[a-z]+)?)\.anthropic\./;

/**
 * The id of a step's model under the call's inference profile: a step
 * (Claude's advisor) is served where the call is, so a call made through
 * `global.` is billed the global price for the step's model too. Undefined
 * when the call names no profile or the step already names its own.
 *
 * @example
 * claudeProfileModel('global.anthropic.claude-sonnet-5', 'claude-opus-4-8') // 'global.anthropic.claude-opus-4-8'
 * claudeProfileModel('anthropic.claude-sonnet-5', 'claude-opus-4-8') // undefined
 */
export function claudeProfileModel(callModel: string, stepModel: string): string | undefined {
  const profile = CLAUDE_PROFILE.exec(callModel)?.[1];
  if (profile === undefined || stepModel.includes('.')) return undefined;
  return `${profile}.anthropic.${stepModel}`;
}

function bedrockReader(request: RequestFacts, contentType: string | undefined, header: HeaderLookup | undefined): ResponseReader {
  if (request.api === 'chat_completions') return openAiChatReader(request, contentType);
  const names = { model: request.model, requestId: header?.('x-amzn-requestid') };
  // A stream request answered with JSON is an error body: read as JSON, it yields nothing billable.
  const eventStream = contentType === undefined ? request.stream : contentType.toLowerCase().includes(EVENT_STREAM);
  if (request.api === 'converse_stream' && eventStream) return new ConverseStreamReader(names);
  if (request.api === 'invoke_stream' && eventStream) return new InvokeStreamReader(names);
  if (request.api === 'converse') return new BedrockJsonReader(converseJsonShape, names, undefined);
  return new BedrockJsonReader(invokeJsonShape, names, headerUsage(header));
}

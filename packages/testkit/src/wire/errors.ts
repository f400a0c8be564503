/** Error responses in each provider's real shape, with the headers the SDKs read. */
import { STATUS_CODES } from 'node:http';
import type { ProviderName } from '../api.js';
import type { Flavour } from '../flavour.js';
import { newId } from './ids.js';

/** The body of an OpenAI error (`{"error":{…}}` holds this). */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** The header each provider names its request id with. */
export function requestIdHeader(provider: ProviderName): string {
  return provider === 'openai' ? 'x-request-id' : 'request-id';
}

/** A request id in the provider's format. */
export function newRequestId(provider: ProviderName): string {
  return provider === 'openai' ? newId('req_', 16) : newId('req_011C', 10);
}

/** The inner OpenAI error object for `status`. */
export function openaiError(status: number, message: string): OpenAIErrorObject {
  if (status === 429) return { message, type: 'requests', param: null, code: 'rate_limit_exceeded' };
  if (status === 401) return { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
  return { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null };
}

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** The `error` member of an Anthropic error for `status`. */
export function anthropicError(status: number, message: string): { type: string; message: string } {
  const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type, message };
}

/**
 * A whole error body: OpenAI `{"error":{message,type,param,code}}`, Anthropic
 * `{"type":"error","error":{type,message},"request_id"}`, or an OpenAI-compatible
 * flavour's own shape.
 */
export function errorBody(provider: ProviderName, status: number, message: string, requestId: string, flavour: Flavour = 'openai'): object {
  if (provider === 'anthropic') return { type: 'error', error: anthropicError(status, message), request_id: requestId };
  const error = openaiError(status, message);
  switch (flavour) {
    case 'azure':
      return { error: { code: azureCode(status), message } };
    case 'mistral':
      return { object: 'error', message, type: error.type, param: null, code: null };
    case 'groq':
      return { error: { message, type: error.type, ...(error.code === null ? {} : { code: error.code }) } };
    case 'xai':
      return { code: STATUS_CODES[status] ?? 'Error', error: message };
    case 'openrouter':
      return { error: { code: status, message, metadata: {} }, user_id: 'user_2yQm8Tb3Vx' };
    case 'together':
      return { id: requestId, error };
    case 'fireworks':
      return { error: { object: 'error', type: error.type, message } };
    case 'openai':
    case 'deepseek':
      return { error };
  }
}

/** Azure's own error codes for the statuses its gateway answers itself. */
function azureCode(status: number): string {
  if (status === 404) return 'DeploymentNotFound';
  if (status === 401 || status === 429) return String(status);
  return status >= 500 ? 'InternalServerError' : 'BadRequest';
}

/** The message of a scenario-made error: the status text, then which scenario made it. */
export function scenarioMessage(status: number, scenario: string): string {
  return `${STATUS_CODES[status] ?? 'Error'} (costctl testkit scenario "${scenario}")`;
}

/** Whether the SDKs may retry: the status set they retry by default, stated explicitly. */
export function shouldRetry(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

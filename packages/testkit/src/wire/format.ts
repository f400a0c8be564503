/** The contract between the server and each API's wire format, and SSE framing. */
import type { ProviderApi, RequestBody } from '../api.js';
import type { Flavour } from '../flavour.js';

/** Facts shared by every byte of one response. */
export interface Call {
  /** The model the response reports (see `responseModel`). */
  model: string;
  /** The request id also sent as `x-request-id` / `request-id`. */
  requestId: string;
  /** Unix time in seconds. */
  created: number;
  /** Which provider's departures from OpenAI's format to write (see `flavour.ts`). */
  flavour: Flavour;
}

/** A streaming answer, framed, plus where the failure scenarios stop it. */
export interface StreamPlan {
  events: readonly string[];
  /** Index of the first event after half the content deltas (`ceil(N / 2)` of them). */
  halfway: number;
  /** The provider's in-stream error event, sent at `halfway` by `stream-error`. */
  errorEvent: string;
}

/** One API: its JSON answer and, when it can stream, its event stream. */
export interface WireFormat {
  readonly api: ProviderApi;
  json(body: RequestBody, call: Call): object;
  stream?(body: RequestBody, call: Call): StreamPlan;
}

/** An SSE comment line, which clients skip (OpenRouter's and DeepSeek's keep-alives). */
export function commentEvent(text: string): string {
  return `: ${text}\n\n`;
}

/** An SSE event with only a `data:` line (Chat Completions). */
export function dataEvent(payload: object | string): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/** An SSE event with `event:` and `data:` lines (Responses, Anthropic). */
export function namedEvent(name: string, payload: object): string {
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** How many of `deltas` content deltas precede the cut of `cut` and `stream-error`. */
export function half(deltas: number): number {
  return Math.ceil(deltas / 2);
}

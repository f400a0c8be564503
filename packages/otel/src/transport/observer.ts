import { ObservedCall, type CallContext } from './call.js';
import type { EndpointMatcher } from './endpoints.js';
import { readLabels } from './labels.js';
import { readRequestBody } from './request-body.js';

/**
 * Decides, per outgoing request, whether it is a billable call to a paid
 * API, and if so starts observing it. A request to any other host costs one
 * Map lookup.
 */
export class CallObserver {
  readonly #matcher: EndpointMatcher;
  readonly #labelKeys: readonly string[];
  readonly #context: CallContext;

  constructor(matcher: EndpointMatcher, labelKeys: readonly string[], context: CallContext) {
    this.#matcher = matcher;
    this.#labelKeys = labelKeys;
    this.#context = context;
  }

  /** A new observed call for a billable request, or undefined for any other request. */
  observe(method: string, origin: string, host: string, path: string, body: unknown): ObservedCall | undefined {
    const matched = this.#matcher.match(method, origin, host, path);
    if (matched === undefined) return undefined;
    const { json, length } = readRequestBody(body);
    const request = matched.adapter.readRequest({ operation: matched.operation, api: matched.api }, json, length);
    return new ObservedCall(matched.adapter, request, readLabels(this.#labelKeys), this.#context);
  }
}

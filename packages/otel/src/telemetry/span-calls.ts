import type { ObservedCall } from '../call/call.js';

/** A call not yet known when its span starts: a node:http request held until its body is whole. */
export interface PendingCallSource {
  readonly observed: ObservedCall | undefined;
}

/** What an HTTP client span is tied to: its call, or what will know it. */
export type CallSource = ObservedCall | PendingCallSource;

/**
 * The call whose request is being handed to its transport right now. undici
 * creates the request, and `@opentelemetry/instrumentation-undici` starts its
 * HTTP client span, synchronously inside `dispatch()` (as
 * `@opentelemetry/instrumentation-http` does inside a `request()` that
 * costctl's own wraps); this slot lets the cost span processor tie that span
 * to the call. It is set around one synchronous call and restored after
 * it (a call made inside another's hand-over leaves the outer one active),
 * so no async context is needed.
 */
export const activeCall: { call: CallSource | undefined } = { call: undefined };

/** HTTP client spans and what they are tied to, by whichever side saw the tie first. */
export const spanCalls = new WeakMap<object, CallSource>();

/** The call a span is tied to, once it is known. */
export function callOfSpan(span: object): ObservedCall | undefined {
  const source = spanCalls.get(span);
  // Told apart by shape, not instanceof, so telemetry never loads the call path.
  return source !== undefined && 'observed' in source ? source.observed : source;
}

import type { ObservedCall } from './call.js';

/**
 * The call whose request is being handed to undici right now. undici creates
 * the request, and `@opentelemetry/instrumentation-undici` starts its HTTP
 * client span, synchronously inside `dispatch()`; this slot lets the cost
 * span processor tie that span to the call. It is set and cleared around one
 * synchronous `dispatch()`, so no async context is needed.
 */
export const activeCall: { call: ObservedCall | undefined } = { call: undefined };

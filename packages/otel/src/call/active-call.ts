// Transports reach telemetry through call/: the span a call hands over is tied there.
export { activeCall, callOfSpan, spanCalls, type CallSource, type PendingCallSource } from '../telemetry/span-calls.js';

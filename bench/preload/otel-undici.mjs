// What an app that already traces its HTTP calls loads before its code: the
// OTel SDK with @opentelemetry/instrumentation-undici, every span sampled and
// ended (so the instrumentation does all its work), counted by a processor
// that exports nothing. The bench's baseline for "what OTel's own undici
// instrumentation costs", and the ground costctl is then measured on.
// The worker reports the count (globalThis.benchSpanCount) with its calls, so
// a run where the instrumentation saw nothing cannot pass.
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

let ended = 0;
const counting = {
  onStart() {},
  onEnd() {
    ended += 1;
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

// No metric readers and no resource detectors: only the tracing work is timed.
new NodeSDK({ instrumentations: [new UndiciInstrumentation()], spanProcessors: [counting], metricReaders: [], resourceDetectors: [] }).start();
globalThis.benchSpanCount = () => ended;

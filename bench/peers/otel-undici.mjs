// @opentelemetry/instrumentation-undici in an OTel NodeSDK, before the app's
// code: a client span for every fetch, batched to an in-memory exporter. It
// reads no body, so its spans carry no model and no tokens: every span counts.
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';

let spans = 0;
globalThis.benchSpanCount = () => spans;
const exporter = {
  export(batch, done) {
    spans += batch.length;
    done({ code: 0 });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
new NodeSDK({
  instrumentations: [new UndiciInstrumentation()],
  spanProcessors: [new BatchSpanProcessor({ exporter })],
  metricReaders: [],
  resourceDetectors: [],
}).start();

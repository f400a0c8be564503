// Loaded with --import before the app, as OpenTelemetry's docs say to set up
// instrumentation: a NodeSDK with HttpInstrumentation and costctl's span
// processor, whose finished spans the app reads from globalThis.otelSpans.
import { CostSpanProcessor } from '@costctl/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

const spans = new InMemorySpanExporter();
// No metric readers: the NodeSDK would otherwise push OTLP metrics to a collector that is not there.
const sdk = new NodeSDK({
  instrumentations: [new HttpInstrumentation()],
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor({ exporter: spans })],
  metricReaders: [],
});
sdk.start();
globalThis.otelSpans = spans;
globalThis.otelSdk = sdk;

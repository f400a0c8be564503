// Loaded with --import before the app, as OpenTelemetry's docs say to set up
// instrumentation: a NodeSDK with HttpInstrumentation whose finished spans
// the app reads from globalThis.otelSpans.
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

const spans = new InMemorySpanExporter();
// No metric readers: the NodeSDK would otherwise push OTLP metrics to a collector that is not there.
const sdk = new NodeSDK({ instrumentations: [new HttpInstrumentation()], spanProcessors: [new SimpleSpanProcessor({ exporter: spans })], metricReaders: [] });
sdk.start();
globalThis.otelSpans = spans;
globalThis.otelSdk = sdk;

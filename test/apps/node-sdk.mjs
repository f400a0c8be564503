// An app that builds its own OTel NodeSDK (tracing with the undici
// instrumentation, its own metric reader) and adds costctl through the
// programmatic API instead of --import register. Prints the HTTP client
// span's attributes and the cost metric its own reader collected. With
// TRIP_GATE=1 the gate is tripped first, so the call is blocked.
import { CostSpanProcessor, start } from '@costctl/otel';
import { metrics, trace } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';

const spans = new InMemorySpanExporter();
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
const sdk = new NodeSDK({
  instrumentations: [new UndiciInstrumentation()],
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor({ exporter: spans })],
  metricReaders: [reader],
});
sdk.start();
const costctl = start({ meterProvider: metrics.getMeterProvider() });
if (process.env.TRIP_GATE === '1') await costctl.gate.trip({ reason: 'node-sdk test', actor: 'test' });

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${process.env.FAKE_PROVIDER_URL}/openai/v1`, maxRetries: 0 });
// The call runs inside the app's own span, as a request handler's would.
const completion = await trace.getTracer('app').startActiveSpan('handle request', async (parent) => {
  try {
    return await openai.chat.completions.create(JSON.parse(process.env.BODY));
  } catch (error) {
    return { error: { name: error.constructor.name, status: error.status } };
  } finally {
    parent.end();
  }
});
await reader.forceFlush();

const clientSpans = spans.getFinishedSpans().filter((span) => span.kind === 2);
const points = exporter
  .getMetrics()
  .at(-1)
  .scopeMetrics.flatMap((scope) => scope.metrics)
  .filter((metric) => metric.descriptor.name === 'costctl.cost.usd')
  .flatMap((metric) => metric.dataPoints);
console.log(
  JSON.stringify({
    usage: completion.usage,
    error: completion.error,
    spans: clientSpans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, parent: span.parentSpanContext?.spanId ?? null })),
    appSpan: spans
      .getFinishedSpans()
      .find((span) => span.name === 'handle request')
      ?.spanContext().spanId,
    cost: points.map((point) => ({ value: point.value, attributes: point.attributes })),
  }),
);
console.log(JSON.stringify({ done: true }));
await sdk.shutdown();

// @arizeai/openinference-instrumentation-openai in an OTel NodeSDK, as its
// README sets it up, before the app's code: the OpenAI module patched by hand
// as it says for ES modules, spans batched to an in-memory exporter.
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { countingExporter } from './spans.mjs';

const instrumentation = new OpenAIInstrumentation();
instrumentation.manuallyInstrument(OpenAI);
// No metric readers and no resource detectors: the tracing work is what is timed.
new NodeSDK({
  instrumentations: [instrumentation],
  spanProcessors: [new BatchSpanProcessor({ exporter: countingExporter() })],
  metricReaders: [],
  resourceDetectors: [],
}).start();

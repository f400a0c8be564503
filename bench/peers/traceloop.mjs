// @traceloop/node-server-sdk (OpenLLMetry) as its quick start sets it up,
// before the app's code: initialize(), the OpenAI module handed over as its
// docs say for ES modules, spans batched to an in-memory exporter instead of
// Traceloop's cloud, and its prompt sync off (it would fetch prompts from
// that cloud at start-up; the base URL is the local sink besides).
import * as traceloop from '@traceloop/node-server-sdk';
import OpenAI from 'openai';
import { countingExporter } from './spans.mjs';

traceloop.initialize({
  appName: 'bench',
  baseUrl: process.env.BENCH_SINK_URL,
  exporter: countingExporter(),
  traceloopSyncEnabled: false,
  instrumentModules: { openAI: OpenAI },
  silenceInitializationMessage: true,
});

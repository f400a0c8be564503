// openlit as its quick start sets it up, before the app's code: init() with
// an OTLP endpoint (bench/peers.mjs's local sink, BENCH_SINK_URL), the OpenAI
// module handed over for ES modules, and its price list given inline so that
// it fetches none from GitHub. Its traces, metrics and events go to the sink,
// which counts the model-call spans.
import { Openlit } from 'openlit';
import OpenAI from 'openai';

// openlit prices per thousand tokens; gpt-4o-mini's list price, under the request's and the answer's model names.
const gpt4oMini = { promptPrice: 0.00015, completionPrice: 0.0006 };
Openlit.init({
  applicationName: 'bench',
  otlpEndpoint: process.env.BENCH_SINK_URL,
  instrumentations: { openai: OpenAI },
  pricingJson: { chat: { 'gpt-4o-mini': gpt4oMini, 'gpt-4o-mini-2024-07-18': gpt4oMini } },
});

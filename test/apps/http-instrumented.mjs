// An app with OpenTelemetry's own node:http instrumentation
// (test/apps/otel-http-setup.mjs, loaded with --import) that calls a paid API
// with axios, under --import @costctl/otel/register too: both must work
// together — the HTTP client span is made, and costctl still prices,
// budgets and gates the call.
import axios from 'axios';

const spans = globalThis.otelSpans;
const sdk = globalThis.otelSdk;

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Say hello.' }] };
const response = await axios.post(`${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`, body, {
  headers: { authorization: 'Bearer sk-test-key' },
  validateStatus: () => true,
});
// The instrumentation ends its span on the response's own 'end', which may come after axios resolves.
await new Promise((resolve) => setTimeout(resolve, 100));
const clientSpans = spans.getFinishedSpans().filter((span) => span.kind === 2);
console.log(
  JSON.stringify({
    status: response.status,
    blocked: response.headers['x-costctl-blocked'] ?? null,
    usage: response.data.usage ?? null,
    spans: clientSpans.map((span) => ({
      method: span.attributes['http.request.method'] ?? span.attributes['http.method'],
      status: span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'],
      // What costctl's span processor added.
      costctl: Object.fromEntries(Object.entries(span.attributes).filter(([key]) => key.startsWith('gen_ai.') || key.startsWith('costctl.'))),
    })),
  }),
);
await sdk.shutdown();
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

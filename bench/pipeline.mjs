// npm run bench:pipeline: costctl's per-call work in one process, without the
// network, each figure a ratio to a baseline timed in the same run:
//   * reading a chat request's facts (a short one and one with a 20 KB
//     prompt), against the app's own JSON.stringify of the same request;
//   * reading and pricing an answer (the JSON body, a 1,536-dimension
//     embeddings answer, a 10,000-event SSE stream): costctl's reader +
//     priceCall, against what the app itself does with the same bytes (decode
//     and JSON.parse; for the stream, split the events and parse each);
//   * recording a finished call in the cost metrics with 10, 1,000 and 10,000
//     live label sets (one baggage label per tenant), against 10: per-call
//     work must not grow with the series (past the bound of 1,999 series per
//     instrument, new ones go to the overflow series, which is recorded the
//     same way).
// Build first (npm run build); the packages' build is imported from dist.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { readRequestFacts } from '../packages/otel/dist/call/request-body.js';
import { priceCall } from '../packages/otel/dist/pricing/price-call.js';
import { PriceTable } from '../packages/otel/dist/pricing/price-table.js';
import { adapterByName } from '../packages/otel/dist/providers/registry.js';
import { CostMetrics } from '../packages/otel/dist/telemetry/cost-metrics.js';
import { formatRatio } from './report.mjs';
import { chatCompletionJson, chatCompletionStream, chatRequest } from './wire.mjs';

const ROUNDS = 7;
const openai = adapterByName('openai');
const table = new PriceTable();

/** The best of ROUNDS rounds of `n` runs of `work`, in µs per run (the least disturbed by the rest of the machine). */
function microsPerRun(work, n) {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) work(i);
    best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  return best;
}

/** The body as it comes off the wire: 16 KiB chunks. */
function chunksOf(text) {
  const bytes = Buffer.from(text);
  const chunks = [];
  for (let at = 0; at < bytes.length; at += 16_384) chunks.push(bytes.subarray(at, at + 16_384));
  return chunks;
}

/** An embeddings answer as api.openai.com returns one: 1,536 floats, then the model and the usage. */
function embeddingsJson() {
  const embedding = Array.from({ length: 1536 }, (_, i) => Math.sin(i) / 7);
  return JSON.stringify({
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  });
}

function readAndPrice(kind) {
  const stream = kind === 'sse';
  const path = kind === 'embeddings' ? '/v1/embeddings' : '/v1/chat/completions';
  const body = JSON.stringify(kind === 'embeddings' ? { model: 'text-embedding-3-small', input: 'The food was delicious.' } : chatRequest(stream));
  const request = openai.readRequest(openai.matchCall('POST', path), JSON.parse(body), body.length);
  const chunks = chunksOf(stream ? chatCompletionStream(10_000) : kind === 'embeddings' ? embeddingsJson() : chatCompletionJson());
  const contentType = stream ? 'text/event-stream' : 'application/json';
  const costctl = () => {
    const reader = openai.createReader(request, contentType, () => undefined);
    for (const chunk of chunks) reader.push(chunk);
    const cost = priceCall(openai, request, reader.finish(), table);
    if (!(cost.cost?.usd > 0)) throw new Error('the bench answer was not priced');
  };
  const app = stream ? () => appReadsStream(chunks) : () => JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return { costctl, app };
}

function appReadsStream(chunks) {
  let usage;
  for (const event of Buffer.concat(chunks).toString('utf8').split('\n\n')) {
    if (event.startsWith('data: {')) usage = JSON.parse(event.slice(6)).usage ?? usage;
  }
  return usage;
}

/** The bench's chat request as the SDK sends it, or one with a `prompt` characters long: costctl reads its facts, the app serialised it. */
function readRequest(prompt) {
  const object =
    prompt === 0 ? chatRequest(false) : { ...chatRequest(false), messages: [{ role: 'user', content: 'Why did our spend double? '.repeat(prompt / 26) }] };
  const body = JSON.stringify(object);
  const call = openai.matchCall('POST', '/v1/chat/completions');
  return { costctl: () => readRequestFacts(openai, call, body), app: () => JSON.stringify(object), length: body.length };
}

const rows = [];
for (const prompt of [0, 20_000]) {
  const { costctl, app, length } = readRequest(prompt);
  const app_ = microsPerRun(app, 20_000);
  const ours = microsPerRun(costctl, 20_000);
  const name = `chat request (${(length / 1000).toFixed(1)} KB): read facts`;
  rows.push([name, `${ours.toFixed(2)} us`, `app's own JSON.stringify ${app_.toFixed(2)} us`, formatRatio(ours / app_)]);
}
for (const [name, kind, n] of [
  ['JSON answer (849 B): read + price', 'json', 20_000],
  ['embeddings answer (31 KB): read + price', 'embeddings', 2_000],
  ['SSE stream (10,000 events, 3.3 MB): read + price', 'sse', 20],
]) {
  const { costctl, app } = readAndPrice(kind);
  const app_ = microsPerRun(app, n);
  const ours = microsPerRun(costctl, n);
  rows.push([name, `${ours.toFixed(2)} us`, `app's own parse ${app_.toFixed(2)} us`, formatRatio(ours / app_)]);
}

const result = (tenant) => ({
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: 'chatcmpl-bench',
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.2,
  labels: { tenant },
  billable: true,
  usage: { input: 148, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.00006, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
});
let base;
for (const series of [10, 1000, 10_000]) {
  const metrics = new CostMetrics(new MeterProvider().getMeter('bench'));
  const results = Array.from({ length: series }, (_, i) => result(`tenant-${i}`));
  for (const each of results) metrics.record(each); // every series live before timing
  const micros = microsPerRun((i) => metrics.record(results[i % series]), 100_000);
  base ??= micros;
  rows.push([
    `metrics: record one call, ${series.toLocaleString('en')} live series`,
    `${micros.toFixed(2)} us`,
    `10 series ${base.toFixed(2)} us`,
    formatRatio(micros / base),
  ]);
}

console.log(`\ncostctl per-call work in one process: Node ${process.version}, best of ${ROUNDS} rounds each\n`);
const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('  '));

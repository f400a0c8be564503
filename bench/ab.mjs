// Per-call functions of this build against another build of costctl, in one
// process, taking turns: what a change to one of them saves, without the
// noise of the network and of other processes. Build both first: the other
// build is a `packages/otel/dist` directory of another commit, kept where it
// can import the workspace's dependencies (node_modules/.costctl-base/dist, say):
//   node bench/ab.mjs node_modules/.costctl-base/dist
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { formatRatio } from './report.mjs';
import { chatCompletionJson, chatRequest } from './wire.mjs';

const [baseDir] = process.argv.slice(2);
if (baseDir === undefined) {
  console.error('usage: node bench/ab.mjs <dist directory of the build to compare with>');
  process.exit(2);
}
const ROUNDS = 7;
const N = 200_000;

async function load(dir) {
  const url = (path) => pathToFileURL(resolve(dir, path)).href;
  return {
    CostMetrics: (await import(url('telemetry/cost-metrics.js'))).CostMetrics,
    aggregates: await import(url('budget/aggregates.js')),
    ledgerLine: (await import(url('ledger/entry.js'))).ledgerLine,
    LedgerWriter: (await import(url('ledger/writer.js'))).LedgerWriter,
    observingHandler: (await import(url('transports/observing-handler.js'))).observingHandler,
    EndpointMatcher: (await import(url('call/endpoints.js'))).EndpointMatcher,
    PriceTable: (await import(url('pricing/price-table.js'))).PriceTable,
    openai: (await import(url('providers/registry.js'))).adapterByName('openai'),
    readRequestBody: (await import(url('call/request-body.js'))).readRequestBody,
    readRequestFacts: (await import(url('call/request-body.js'))).readRequestFacts,
  };
}
const builds = { base: await load(baseDir), this: await load(new URL('../packages/otel/dist', import.meta.url).pathname) };

let calls = 0;
/** A finished OpenAI chat call as the transports record it, fresh each time (a call is recorded once). */
const result = () => ({
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: `chatcmpl-${++calls}`,
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.2,
  labels: Object.freeze({}),
  billable: true,
  usage: { input: 148, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.00006, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
});

const call = { data() {}, responseStarted() {}, ended() {}, failed() {}, abort: undefined };
const chunk = new Uint8Array(849);
const handlers = {
  controller: { onRequestStart() {}, onResponseStart() {}, onResponseData: () => true, onResponseEnd() {}, onResponseError() {} },
  legacy: { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError() {} },
};

/** A string the transport made for this request (as `url.origin` is), so its hash is computed afresh, as in the app. */
const fresh = (text) => `${text} `.slice(0, -1);
const chatAnswer = new TextEncoder().encode(chatCompletionJson());
const chatBody = JSON.stringify(chatRequest(false));
const longChatBody = JSON.stringify({ ...chatRequest(false), messages: [{ role: 'user', content: 'Why did our spend double? '.repeat(800) }] });

/** The facts of a request as the call path reads them: the body's own reader when the build has one, else parse and read. */
const requestFacts = (build, body) => {
  const call = build.openai.matchCall('POST', '/v1/chat/completions');
  if (build.readRequestFacts !== undefined) return () => build.readRequestFacts(build.openai, call, fresh(body));
  return () => {
    const { json, length } = build.readRequestBody(fresh(body));
    return build.openai.readRequest(call, json, length);
  };
};
const usage = { input: 148, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

/** Where the ledger cases write: memory when the machine has it, so the disk's noise stays out. */
const ledgerDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'costctl-ab-'));
/** Lines a ledger case buffers before it writes them: about what a 10 ms commit holds at 10,000 calls a second. */
const LINES_PER_COMMIT = 100;

const cases = {
  'ledger: the line of one call': (build) => {
    let now = Date.now();
    return () => build.ledgerLine(result(), (now += 3));
  },
  'ledger: record one call (a commit every 100)': (build) => {
    const ledger = new build.LedgerWriter(mkdtempSync(join(ledgerDir, 'l-')), { timeZone: 'UTC' });
    let lines = 0;
    return () => {
      ledger.record(result());
      // The commit is written here, synchronously: a timer cannot run inside the measured loop.
      if (++lines % LINES_PER_COMMIT === 0) ledger.flushSync();
    };
  },
  'endpoints: match a provider call': (build) => {
    const matcher = new build.EndpointMatcher([]);
    return () => matcher.match('POST', fresh('https://api.openai.com'), fresh('api.openai.com'), fresh('/v1/chat/completions'));
  },
  'endpoints: match a call to another host': (build) => {
    const matcher = new build.EndpointMatcher([]);
    return () => matcher.match('GET', fresh('https://example.com'), fresh('example.com'), fresh('/v1/items/42'));
  },
  'price table: price a chat call': (build) => {
    const table = new build.PriceTable();
    return () => table.price('openai', 'openai', fresh('gpt-4o-mini-2024-07-18'), usage);
  },
  'request: read a chat request (SDK string)': (build) => requestFacts(build, chatBody),
  'request: read a chat request with a 20 KB prompt': (build) => requestFacts(build, longChatBody),
  'answer: read a JSON chat answer (849 B)': (build) => {
    const request = build.openai.readRequest({ operation: 'chat', api: 'chat_completions' }, JSON.parse(chatBody), chatBody.length);
    return () => {
      const reader = build.openai.createReader(request, 'application/json', () => undefined);
      reader.push(chatAnswer);
      return reader.finish();
    };
  },
  'metrics: record one call': (build) => {
    const metrics = new build.CostMetrics(new MeterProvider().getMeter('bench'));
    return () => metrics.record(result());
  },
  'calls no rule held: record one call': (build) => {
    const unheld = new build.aggregates.UnheldCalls({ commit() {} }, new build.aggregates.WindowAggregates('UTC'));
    return () => unheld.record(result());
  },
  'calls no rule held: record one call with a label': (build) => {
    const unheld = new build.aggregates.UnheldCalls({ commit() {} }, new build.aggregates.WindowAggregates('UTC'));
    return () => unheld.record({ ...result(), labels: { tenant: 'acme' } });
  },
  'metrics: record one call with a label': (build) => {
    const metrics = new build.CostMetrics(new MeterProvider().getMeter('bench'));
    return () => metrics.record({ ...result(), labels: { tenant: 'acme' } });
  },
  "fetch's response handlers: one call, both shapes": (build) => () => {
    const controller = build.observingHandler(handlers.controller, call);
    controller.onRequestStart({}, {});
    controller.onResponseStart({}, 200, {}, 'OK');
    controller.onResponseData({}, chunk);
    controller.onResponseEnd({}, {});
    const legacy = build.observingHandler(handlers.legacy, call);
    legacy.onConnect(() => {});
    legacy.onHeaders(200, [], () => {}, 'OK');
    legacy.onData(chunk);
    legacy.onComplete([]);
  },
};

console.log(`\nthis build against ${baseDir}: Node ${process.version}, best of ${ROUNDS} rounds of ${N.toLocaleString('en')} each, builds taking turns\n`);
for (const [name, make] of Object.entries(cases)) {
  const runs = { base: make(builds.base), this: make(builds.this) };
  const best = { base: Infinity, this: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? ['base', 'this'] : ['this', 'base']) {
      const run = runs[side];
      const start = performance.now();
      for (let i = 0; i < N; i++) run();
      best[side] = Math.min(best[side], ((performance.now() - start) * 1e6) / N);
    }
  }
  console.log(
    `${name.padEnd(52)}${`${best.base.toFixed(0)} ns`.padStart(9)}${`${best.this.toFixed(0)} ns`.padStart(9)}  ${formatRatio(best.this / best.base)}`,
  );
}
rmSync(ledgerDir, { recursive: true, force: true });

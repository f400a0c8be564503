// npm run bench:peers: what costctl and the peers that watch LLM calls cost
// the same app, on loopback, against bench/server.mjs's fake OpenAI. The app
// (bench/peers/app.mjs) makes one Chat Completion at a time through the
// official `openai` client, as JSON and as a stream; each side loads one
// peer before it, set up as the peer's quick start says, exporting to
// memory or to a local sink in this process (nothing leaves the machine).
//
// A round starts one worker per side, the app alone included, warms them up
// and has them take turns in short slices (one process measured at a time,
// the order rotating), so bursts of load on a shared machine fall on every
// side alike. Each side's figure is its client CPU per call over the app
// alone's in the same round; the table shows the median over the rounds.
// CPU is counted twice: within the slices (the work on the call's path), and
// over the process's whole life after warm-up divided by the same calls
// (idle time between slices included, where batched exports, flushes and
// background timers run).
// Before the rounds, each side makes calls on its own and must prove it saw
// every one (costctl's /metrics, the peer's spans or events), or the bench
// stops with BENCH FAILED.
//
// BENCH_QUICK=1 for a short run; BENCH_ROUNDS, BENCH_SSE_DELTAS (default 1000
// chunks a stream) to change the plan.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { buildUnderTest, cpuSnapshot, machineLoad } from './machine.mjs';
import { hasOutputTokens, isModelCall } from './peers/spans.mjs';
import { freePort, repoRoot, startServer, Worker } from './processes.mjs';
import { formatNumber, formatRatio, median } from './report.mjs';
import { checkObserved, scrapeMetrics } from './verify.mjs';
import { JSON_USAGE, STREAM_PROMPT_TOKENS } from './wire.mjs';

const quick = process.env.BENCH_QUICK === '1';
const plan = {
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 7)),
  slicesPerRound: quick ? 2 : 5,
  sliceMs: quick ? 150 : 300,
  warmupMs: quick ? 300 : 1000,
  deltas: Number(process.env.BENCH_SSE_DELTAS ?? 1000),
};
/** Longer than the batching span processors' 5 s schedule: what a side exported is all in when its verification ends. */
const FLUSH_MS = 6000;
const COSTCTL = ['--import', '@costctl/otel/register'];
const APP = '../peers/app.mjs';

const preload = (file) => ['--import', new URL(`./peers/${file}`, import.meta.url).href];
const version = (name) => JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;

/**
 * The sides, the app alone first. `proof` is how a side shows it saw every call: `costctl` its /metrics,
 * `records` one span or event per call counted in the worker, `spans` one HTTP span per call, `sink` one
 * model-call span per call at the OTLP sink.
 */
const SIDES = [
  { id: 'app alone', nodeArgs: [] },
  { id: 'costctl, memory store', nodeArgs: COSTCTL, env: { COSTCTL_STORE: 'memory' }, proof: 'costctl' },
  // The file store (the default) with one daily USD rule: every call is reserved and settled against it.
  { id: 'costctl, file store, 1 budget rule', nodeArgs: COSTCTL, env: { COSTCTL_DAILY_LIMIT_USD: '1000000' }, proof: 'costctl' },
  { id: `@traceloop/node-server-sdk ${version('@traceloop/node-server-sdk')}`, nodeArgs: preload('traceloop.mjs'), proof: 'records' },
  {
    id: `@arizeai/openinference-instrumentation-openai ${version('@arizeai/openinference-instrumentation-openai')} + NodeSDK`,
    nodeArgs: preload('openinference.mjs'),
    proof: 'records',
  },
  {
    id: `@opentelemetry/instrumentation-undici ${version('@opentelemetry/instrumentation-undici')} + NodeSDK`,
    nodeArgs: preload('otel-undici.mjs'),
    proof: 'spans',
  },
  { id: `openlit ${version('openlit')}`, nodeArgs: preload('openlit.mjs'), proof: 'sink' },
  { id: `@posthog/ai ${version('@posthog/ai')} (posthog-node ${version('posthog-node')})`, nodeArgs: preload('posthog.mjs'), proof: 'records' },
];

const WORKLOADS = [
  {
    id: 'json',
    title: 'JSON chat call, openai client, 1 in flight',
    stream: false,
    expected: (calls) => ({ calls, inputTokens: calls * JSON_USAGE.prompt_tokens, outputTokens: calls * JSON_USAGE.completion_tokens }),
  },
  {
    id: 'stream',
    title: `SSE chat stream, openai client (for await of its chunks), ${plan.deltas} chunks`,
    stream: true,
    expected: (calls) => ({ calls, inputTokens: calls * STREAM_PROMPT_TOKENS, outputTokens: calls * plan.deltas }),
  },
];

const progress = (text) => process.stderr.write(text);

const stateDir = mkdtempSync(join(os.tmpdir(), 'costctl-bench-peers-'));
const machineAtStart = cpuSnapshot();
const sink = await startSink();
const server = await startServer({ BENCH_SSE_DELTAS: String(plan.deltas) });
const baseUrl = `http://127.0.0.1:${server.port}/v1`;

const results = [];
const problems = [];
try {
  for (const workload of WORKLOADS) results.push(await measureWorkload(workload));
} catch (error) {
  problems.push(error.message);
} finally {
  await server.stop();
  sink.close();
  rmSync(stateDir, { recursive: true, force: true });
}

if (results.length > 0) printReport(results, machineLoad(machineAtStart, cpuSnapshot()));
if (problems.length > 0) {
  console.log(`\nBENCH FAILED: ${problems.join('\n')}`);
  process.exitCode = 1;
}

/** The environment of one worker of `side`: the fake provider, the sink, and costctl's exporter on a port of its own. */
async function sideEnv(side, workload) {
  const env = {
    BENCH_BASE_URL: baseUrl,
    BENCH_WARMUP_MS: String(plan.warmupMs),
    BENCH_STREAM: workload.stream ? '1' : '',
    BENCH_SSE_DELTAS: String(plan.deltas),
    BENCH_SINK_URL: sink.url,
    ...side.env,
  };
  if (side.proof !== 'costctl') return env;
  const port = await freePort();
  return {
    ...env,
    COSTCTL_ENDPOINTS: `openai=${baseUrl}`,
    COSTCTL_STATE_DIR: join(stateDir, `${workload.id}-${port}`),
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
  };
}

async function measureWorkload(workload) {
  progress(`${workload.id}: verify`);
  const verifications = [];
  for (const side of SIDES) {
    verifications.push(await verifiedRun(side, workload));
    progress('.');
  }
  progress(' rounds');
  const rounds = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    rounds.push(await measureRound(workload, round));
    progress(` ${round + 1}`);
  }
  progress('\n');
  checkRuns(workload, rounds, verifications);
  return { workload, rounds, verifications };
}

/** One side alone: a slice of calls, time for batched exports to land, then its proof that it saw every call. */
async function verifiedRun(side, workload) {
  const env = await sideEnv(side, workload);
  sink.reset();
  const worker = await Worker.start(APP, { nodeArgs: side.nodeArgs, env });
  try {
    await worker.slice(plan.sliceMs * plan.slicesPerRound);
    await sleep(side.proof === undefined ? 0 : FLUSH_MS);
    const end = await worker.end();
    const summary = await proofOf(side, workload, end, env);
    await worker.close();
    return { side, end, stderr: worker.stderr, summary };
  } finally {
    worker.kill();
  }
}

/** A one-line account of what `side` recorded of `end.totalCalls` calls; throws when it missed any. */
async function proofOf(side, workload, end, env) {
  const calls = end.totalCalls;
  const outputTokens = workload.stream ? plan.deltas : JSON_USAGE.completion_tokens;
  const fail = (what) => {
    throw new Error(`${side.id}, ${workload.id}: the side did not see every call: ${what} for ${calls} calls`);
  };
  switch (side.proof) {
    case undefined:
      return `${calls} calls`;
    case 'costctl':
      return checkObserved(await scrapeMetrics(Number(env.OTEL_EXPORTER_PROMETHEUS_PORT)), workload.expected(calls));
    case 'spans':
      if (end.spans !== calls) fail(`${end.spans} HTTP spans`);
      return `${calls} calls, an HTTP span for each (no model, no tokens)`;
    case 'records':
      if (end.spans !== calls) fail(`${end.spans} spans or events`);
      return `${calls} calls, a record for each, ${end.usage} with the answer's ${outputTokens} output tokens`;
    case 'sink':
      if (sink.modelSpans(outputTokens).calls !== calls) fail(`${sink.modelSpans(outputTokens).calls} model-call spans at the sink`);
      return `${calls} calls, a span for each at the sink, ${sink.modelSpans(outputTokens).withUsage} with the answer's ${outputTokens} output tokens (${sink.requests()} OTLP requests)`;
    default:
      throw new Error(`unknown proof ${side.proof}`);
  }
}

/** Every side's worker, warmed up, taking turns slice by slice; the order rotates each slice and each round. */
async function measureRound(workload, round) {
  const workers = [];
  try {
    for (const side of SIDES) workers.push(await Worker.start(APP, { nodeArgs: side.nodeArgs, env: await sideEnv(side, workload) }));
    const totals = SIDES.map(() => ({ calls: 0, seconds: 0, cpuUs: 0 }));
    for (let slice = 0; slice < plan.slicesPerRound; slice += 1) {
      const first = (slice + round) % SIDES.length;
      for (let turn = 0; turn < SIDES.length; turn += 1) {
        const index = (first + turn) % SIDES.length;
        const figures = await workers[index].slice(plan.sliceMs);
        totals[index].calls += figures.calls;
        totals[index].seconds += figures.seconds;
        totals[index].cpuUs += figures.cpuUs;
      }
    }
    const runs = [];
    for (const [index, worker] of workers.entries()) {
      const end = await worker.end();
      await worker.close();
      runs.push({ ...totals[index], end, stderr: worker.stderr });
    }
    return runs;
  } finally {
    for (const worker of workers) worker.kill();
  }
}

/** costctl's sides ran with costctl's fetch and the app alone without it; no costctl run logged an error. */
function checkRuns(workload, rounds, verifications) {
  const alone = new Set(rounds.map((runs) => runs[0].end.fetchIdentity));
  for (const [index, side] of SIDES.entries()) {
    const runs = [verifications[index], ...rounds.map((runs) => runs[index])];
    if (side.proof === 'costctl' && runs.some((run) => alone.has(run.end.fetchIdentity))) {
      throw new Error(`${side.id}, ${workload.id}: a run had the app's own global fetch: costctl did not load`);
    }
    for (const run of runs) {
      if (side.proof === 'costctl' && run.stderr.includes('"level":"error"'))
        throw new Error(`${side.id}, ${workload.id}: costctl logged an error:\n${run.stderr}`);
      if (run.stderr.trim() !== '') progress(`${side.id}, ${workload.id}: stderr of a run:\n${run.stderr.slice(0, 2000)}\n`);
    }
  }
}

/**
 * An HTTP server standing in for the peers' clouds (OTLP for openlit, PostHog's /batch/): it answers every
 * request at once and counts the model-call spans of the OTLP JSON it receives.
 */
async function startSink() {
  let spans = [];
  let requests = 0;
  const server = createServer((request, response) => {
    const parts = [];
    request.on('data', (part) => parts.push(part));
    request.on('end', () => {
      requests += 1;
      if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) {
        const body = Buffer.concat(parts);
        const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        for (const resource of JSON.parse(text).resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push(otlpAttributes(span.attributes));
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    reset() {
      spans = [];
      requests = 0;
    },
    requests: () => requests,
    modelSpans(outputTokens) {
      const calls = spans.filter(isModelCall);
      return { calls: calls.length, withUsage: calls.filter((attributes) => hasOutputTokens(attributes, outputTokens)).length };
    },
    close: () => server.close(),
  };
}

/** OTLP JSON attributes ([{ key, value: { intValue } }]) as a plain object. */
function otlpAttributes(list = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, value.intValue ?? value.doubleValue ?? value.stringValue ?? value.boolValue]));
}

function printReport(results, machine) {
  const cpus = os.cpus();
  console.log(`\ncostctl bench, peers on one app: Node ${process.version}, costctl ${buildUnderTest(COSTCTL[1])}, openai ${version('openai')}`);
  console.log(`${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'}); machine during the run: ${machine}`);
  console.log(
    `${plan.rounds} rounds per workload, each with one process per side warmed up ${plan.warmupMs} ms, then ${plan.slicesPerRound} slices of ` +
      `${plan.sliceMs} ms per side, taking turns${quick ? ' (BENCH_QUICK)' : ''}; fake OpenAI on 127.0.0.1 (${server.jsonBytes} B JSON answers, ` +
      `${(server.streamBytes / 1e6).toFixed(2)} MB streams)\n`,
  );
  for (const { workload, rounds, verifications } of results) {
    console.log(workload.title);
    const rows = SIDES.map((side, index) => {
      const cpuPerCall = (run) => run.cpuUs / run.calls;
      const timePerCall = (run) => run.seconds / run.calls;
      // Each round's ratio is to the app alone of the same round; the row shows their median.
      const cpuRatios = rounds.map((runs) => cpuPerCall(runs[index]) / cpuPerCall(runs[0]));
      const wholeCpuPerCall = (run) => run.end.cpuUsSinceReady / run.calls;
      const wholeRatios = rounds.map((runs) => wholeCpuPerCall(runs[index]) / wholeCpuPerCall(runs[0]));
      const timeRatios = rounds.map((runs) => timePerCall(runs[index]) / timePerCall(runs[0]));
      return {
        side: side.id,
        cpu: formatNumber(median(rounds.map((runs) => cpuPerCall(runs[index]))), 0),
        ratio: formatRatio(median(cpuRatios)),
        time: formatRatio(median(timeRatios)),
        whole: formatRatio(median(wholeRatios)),
        rounds: cpuRatios.map(formatRatio).join(' '),
        proof: verifications[index].summary,
      };
    });
    const columns = [
      ['side', 'side', 'left'],
      ['cpu', 'client CPU us/call', 'right'],
      ['ratio', 'CPU/call vs app alone', 'right'],
      ['whole', 'whole-process CPU/call vs app alone', 'right'],
      ['time', 'time/call vs app alone', 'right'],
      ['rounds', 'CPU/call ratio per round', 'left'],
    ];
    const widths = columns.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
    const line = (cells) =>
      cells
        .map((cell, i) => (columns[i][2] === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  ')
        .trimEnd();
    console.log(line(columns.map(([, title]) => title)));
    console.log(widths.map((width) => '-'.repeat(width)).join('  '));
    for (const row of rows) console.log(line(columns.map(([key]) => row[key])));
    console.log('what each side recorded in its verification run:');
    for (const row of rows) console.log(`  ${row.side}: ${row.proof}`);
    console.log('');
  }
}

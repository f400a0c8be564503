// npm run bench: what costctl costs the app's own calls, on loopback, against
// a fake OpenAI that answers at once. Every figure is a ratio to a raw
// baseline measured in this same run. Per scenario: one costctl run with the
// Prometheus exporter whose /metrics must account for every call (so a broken
// build cannot look fast), then rounds. A round starts a raw and a costctl
// worker process, warms both up, and has them take turns in short slices
// (one process measured at a time), so drift on a shared machine falls on
// both sides alike.
// BENCH_QUICK=1 for a short run; BENCH_ONLY=json-seq,sse to pick scenarios;
// BENCH_REGISTER=file:///…/register.js to time another costctl build.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { costctlHeap } from './heap.mjs';
import { buildUnderTest, cpuSnapshot, machineLoad } from './machine.mjs';
import { prometheusEnv, startServer, Worker } from './processes.mjs';
import { startRedisServer } from './redis.mjs';
import { formatRatio, formatTable, formatTarget, summarise } from './report.mjs';
import { scenarioEnv, scenarios, sidesOf } from './scenarios.mjs';
import { checkObserved, scrapeMetrics } from './verify.mjs';

const quick = process.env.BENCH_QUICK === '1';
const plan = {
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5)),
  slicesPerRound: quick ? 4 : 6,
  sliceMs: quick ? 100 : 250,
  warmupMs: quick ? 300 : 400,
  deltas: Number(process.env.BENCH_SSE_DELTAS ?? 10_000),
};
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
const COSTCTL = ['--import', process.env.BENCH_REGISTER ?? '@costctl/otel/register'];

const progress = (text) => process.stderr.write(text);

// costctl's ledger and store go to a directory of this run, not into the repo; the ledger stays on, as by default.
const stateDir = mkdtempSync(join(os.tmpdir(), 'costctl-bench-state-'));
const build = buildUnderTest(COSTCTL[1]);
const machineAtStart = cpuSnapshot();
const server = await startServer({ BENCH_SSE_DELTAS: String(plan.deltas) });
const baseUrl = `http://127.0.0.1:${server.port}/v1`;
// sse-ballast grows a bare app's heap by what starting costctl adds to it, measured here (bench/heap.mjs).
const costctlHeapBytes = only === undefined || only.includes('sse-ballast') ? costctlHeap() : undefined;
const chosen = scenarios({ ...plan, costctlArgs: COSTCTL, costctlHeapBytes }).filter((scenario) => only === undefined || only.includes(scenario.id));
const redis = chosen.some((scenario) => scenario.needsRedis) ? await startRedisServer() : undefined;

const measured = [];
const problems = [];
try {
  for (const scenario of chosen) measured.push(await measureScenario(scenario));
} catch (error) {
  problems.push(error.message);
} finally {
  await server.stop();
  await redis?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

if (measured.length > 0) printReport(measured, machineLoad(machineAtStart, cpuSnapshot()));
if (problems.length > 0) {
  console.log(`\nBENCH FAILED: ${problems.join('\n')}`);
  process.exitCode = 1;
}

async function measureScenario(scenario) {
  const env = scenarioEnv(scenario, { baseUrl, warmupMs: plan.warmupMs, stateDir, redis });
  progress(`${scenario.id}: verify`);
  const verification = await verifiedRun(scenario, env);
  progress(' ok; rounds');
  const rounds = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    rounds.push(await measureRound(scenario, { ...env, ...(await prometheusEnv()) }));
    progress(` ${round + 1}`);
  }
  progress('\n');
  checkRuns(scenario, rounds, verification);
  return { scenario, rounds, verification };
}

/**
 * A run of the measured side with the default (Prometheus) exporter, then a scrape that must count every call it
 * made; a side without costctl (OTel's instrumentation alone) must instead have ended a span for every call.
 */
async function verifiedRun(scenario, env) {
  const exporter = await prometheusEnv();
  const port = Number(exporter.OTEL_EXPORTER_PROMETHEUS_PORT);
  const worker = await Worker.start(scenario.worker, { nodeArgs: sidesOf(scenario, COSTCTL).costctl, env: { ...env, ...exporter } });
  try {
    const totals = sumSlices([await worker.slice(plan.sliceMs * plan.slicesPerRound)]);
    const end = await worker.end();
    const problems = preloadProblems(scenario.measured, end);
    const summary =
      scenario.measured?.costctl === false ? bareSummary(scenario, end) : checkObserved(await scrapeMetrics(port), scenario.expected(end.totalCalls));
    if (problems.length > 0) throw new Error(`${scenario.id}: the instrumentation did not see the calls: ${problems.join('; ')}`);
    await worker.close();
    return { ...totals, ...end, stderr: worker.stderr, summary };
  } finally {
    worker.kill();
  }
}

/** What a run's preloads were to do and, by its end report, did not: a span per call, the heap ballast, the import. */
function preloadProblems(side, end) {
  const problems = [];
  if (side?.spans === true && end.spans !== end.totalCalls) problems.push(`${end.spans} spans ended for ${end.totalCalls} calls`);
  if (side?.ballast === true && !(end.ballastBytes >= costctlHeapBytes)) problems.push(`the ballast added ${end.ballastBytes} bytes, not ${costctlHeapBytes}`);
  if (side?.imports !== undefined && end.imported !== side.imports) problems.push(`${side.imports} was not imported`);
  return problems;
}

/** What a measured run without costctl's register did instead, as its end report shows it. */
function bareSummary(scenario, end) {
  if (scenario.measured.ballast === true) {
    return `${end.totalCalls} streams, no costctl, heap grown by ${(end.ballastBytes / 1e6).toFixed(1)} MB (costctl's: ${(costctlHeapBytes / 1e6).toFixed(1)} MB)`;
  }
  if (scenario.measured.imports !== undefined) return `${end.totalCalls} calls, no costctl, ${end.imported} imported`;
  return `${end.totalCalls} calls, a span ended for each`;
}

/** A raw and a costctl worker, warmed up, taking turns: raw first in even slices, costctl first in odd ones. */
async function measureRound(scenario, env) {
  const workers = {};
  try {
    const sides = sidesOf(scenario, COSTCTL);
    workers.raw = await Worker.start(scenario.worker, { nodeArgs: sides.raw, env });
    workers.costctl = await Worker.start(scenario.worker, { nodeArgs: sides.costctl, env });
    const slices = { raw: [], costctl: [] };
    for (let i = 0; i < plan.slicesPerRound; i += 1) {
      for (const side of i % 2 === 0 ? ['raw', 'costctl'] : ['costctl', 'raw']) slices[side].push(await workers[side].slice(plan.sliceMs));
    }
    const round = {};
    for (const side of ['raw', 'costctl']) {
      const end = await workers[side].end();
      await workers[side].close();
      round[side] = { ...sumSlices(slices[side]), ...end, stderr: workers[side].stderr };
    }
    return round;
  } finally {
    for (const worker of Object.values(workers)) worker.kill();
  }
}

function sumSlices(slices) {
  const total = { calls: 0, seconds: 0, cpuUs: 0, bytes: 0, firstByteMs: [] };
  for (const slice of slices) {
    total.calls += slice.calls;
    total.seconds += slice.seconds;
    total.cpuUs += slice.cpuUs;
    total.bytes += slice.bytes ?? 0;
    total.firstByteMs.push(...(slice.firstByteMs ?? []));
  }
  return total;
}

/** Every costctl run had costctl's fetch and no baseline run did; each side's preloads did their part; no run logged a costctl error. */
function checkRuns(scenario, rounds, verification) {
  const raws = rounds.map((round) => round.raw);
  const costctls = [verification, ...rounds.map((round) => round.costctl)];
  const rawFetches = new Set(raws.map((run) => run.fetchIdentity));
  if (scenario.measured?.costctl !== false && costctls.some((run) => rawFetches.has(run.fetchIdentity))) {
    throw new Error(`${scenario.id}: a costctl run had the same global fetch as a raw run: costctl did not load`);
  }
  for (const [side, runs] of [
    ['baseline', raws],
    ['measured', costctls],
  ]) {
    for (const run of runs) {
      const problems = preloadProblems(scenario[side], run);
      if (problems.length > 0) throw new Error(`${scenario.id}: a ${side} run: ${problems.join('; ')}`);
    }
  }
  for (const run of [...costctls, ...raws]) {
    if (run.stderr.includes('"level":"error"')) throw new Error(`${scenario.id}: costctl logged an error:\n${run.stderr}`);
    if (run.stderr.trim() !== '') progress(`${scenario.id}: stderr of a run:\n${run.stderr}`);
  }
}

function printReport(results, machine) {
  const cpus = os.cpus();
  console.log(`\ncostctl bench: Node ${process.version} (${process.execPath}), costctl ${build}`);
  console.log(`undici ${process.versions.undici}, V8 ${process.versions.v8}, ${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'})`);
  console.log(
    `${plan.rounds} rounds per scenario, each a raw and a costctl process warmed up ${plan.warmupMs} ms, then ${plan.slicesPerRound} ` +
      `measured slices of ${plan.sliceMs} ms each, taking turns${quick ? ' (BENCH_QUICK)' : ''}`,
  );
  console.log(`fake OpenAI on 127.0.0.1: ${server.jsonBytes} B JSON answers, ${(server.streamBytes / 1e6).toFixed(2)} MB streams`);
  console.log(`machine during the run: ${machine}\n`);

  const { rows, perRound, verdicts } = summarise(results);
  console.log(formatTable(rows));
  console.log('\nratio: for calls/s, time per call costctl/raw (lower is better); for MB/s, costctl/raw (higher is better); for');
  console.log('ms to 1st chunk and client CPU (the measured process, all threads), costctl/raw (lower is better).');
  console.log('Each ratio is the median of the per-round ratios:');
  console.log(perRound.join('\n'));
  console.log('\ncostctl observed every call (Prometheus scrape of the verification run):');
  for (const { scenario, verification } of results) console.log(`  ${scenario.id}: ${verification.summary}`);
  console.log('');
  for (const { name, ratioMeans, ratio, target, verdict } of verdicts) {
    const line = `${name}, ${ratioMeans}: ${formatRatio(ratio)} (target ${formatTarget(target)})`;
    console.log(verdict === 'met' ? `target met:    ${line}` : `TARGET MISSED: ${line}`);
  }
}

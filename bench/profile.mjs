// Where costctl's time goes on a bench scenario: runs its worker raw and with
// costctl under --cpu-prof (longer than a bench run, Prometheus exporter unscraped), then
// prints main-thread CPU per call for both and costctl's own share, by
// function and by what ran beneath it. Keeps the .cpuprofile files for
// DevTools. Build first (npm run build), then:
//   npm exec -- node bench/profile.mjs [json-seq|json-c16|sse|sdk …]
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseProfile } from './cpu-profile.mjs';
import { costctlHeap } from './heap.mjs';
import { prometheusEnv, startServer, Worker } from './processes.mjs';
import { startRedisServer } from './redis.mjs';
import { formatNumber } from './report.mjs';
import { scenarioEnv, scenarios, sidesOf } from './scenarios.mjs';

const plan = { deltas: Number(process.env.BENCH_SSE_DELTAS ?? 10_000), warmupMs: 1000, measureMs: 4000 };
const COSTCTL = ['--import', process.env.BENCH_REGISTER ?? '@costctl/otel/register'];
const wanted = process.argv.slice(2);
// As in bench/run.mjs: sse-ballast's heap is sized by what starting costctl adds, the Redis rules need a server.
const costctlHeapBytes = wanted.length === 0 || wanted.includes('sse-ballast') ? costctlHeap() : undefined;
const chosen = scenarios({ ...plan, costctlArgs: COSTCTL, costctlHeapBytes }).filter((scenario) => wanted.length === 0 || wanted.includes(scenario.id));
const dir = mkdtempSync(join(tmpdir(), 'costctl-profile-'));

const server = await startServer({ BENCH_SSE_DELTAS: String(plan.deltas) });
const baseUrl = `http://127.0.0.1:${server.port}/v1`;
const redis = chosen.some((scenario) => scenario.needsRedis) ? await startRedisServer() : undefined;
try {
  for (const scenario of chosen) {
    const env = {
      ...scenarioEnv(scenario, { baseUrl, warmupMs: plan.warmupMs, stateDir: join(dir, 'state'), redis }),
      ...(await prometheusEnv()),
      // PROFILE_ENV='COSTCTL_LEDGER=false' and the like, to see what one part costs.
      ...Object.fromEntries(
        (process.env.PROFILE_ENV ?? '')
          .split(',')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      ),
    };
    // Each side as bench/run.mjs runs it: a scenario may put OTel's instrumentation under both, or measure a preload.
    const sides = sidesOf(scenario, COSTCTL);
    const raw = await profiledRun(scenario, env, `${scenario.id}-raw`, sides.raw);
    const costctl = await profiledRun(scenario, env, `${scenario.id}-costctl`, sides.costctl);
    printScenario(scenario, raw, costctl);
  }
} finally {
  await server.stop();
  await redis?.stop();
}
console.log(`\nprofiles (open in Chrome DevTools > Performance): ${dir}`);

/** One worker under --cpu-prof: warm-up, one long measured slice; the profile is written when it exits. */
async function profiledRun(scenario, env, name, nodeArgs) {
  const profileDir = join(dir, name);
  const worker = await Worker.start(scenario.worker, { nodeArgs: [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}`], env });
  const slice = await worker.slice(plan.measureMs);
  await worker.end();
  await worker.close();
  const [file] = readdirSync(profileDir);
  return { result: { ...slice, firstByteMs: slice.firstByteMs ?? [] }, analysis: analyseProfile(join(profileDir, file), slice.window) };
}

function printScenario(scenario, raw, costctl) {
  const perCall = (run, us) => us / run.result.calls;
  const us = (value) => formatNumber(value, 1).padStart(10);
  const row = (label, rawUs, costctlUs) =>
    console.log(`  ${label.padEnd(32)}${us(rawUs)}${us(costctlUs)}${`${costctlUs >= rawUs ? '+' : ''}${formatNumber(costctlUs - rawUs, 1)}`.padStart(10)}`);
  const busy = (run) => run.analysis.totals.window - run.analysis.totals.idle;
  const measure = scenario.measures[0];
  const [rawValue, costctlValue] = [measure.of(raw.result), measure.of(costctl.result)];

  console.log(`\n${scenario.id}: ${scenario.title}, Node ${process.version}`);
  console.log(
    `  ${measure.unit}: raw ${formatNumber(rawValue, measure.digits)}, costctl ${formatNumber(costctlValue, measure.digits)} ` +
      `(ratio ${formatNumber(measure.ratioOf(rawValue, costctlValue), 3)}x, ${measure.ratioMeans}; one run each, one after the other)`,
  );
  console.log(`  ${'main-thread CPU per call, us'.padEnd(32)}${'raw'.padStart(10)}${'costctl'.padStart(10)}${'delta'.padStart(10)}`);
  row('busy (not idle)', perCall(raw, busy(raw)), perCall(costctl, busy(costctl)));
  row('  of which garbage collection', perCall(raw, raw.analysis.totals.gc), perCall(costctl, costctl.analysis.totals.gc));
  row("  of which costctl's own code", 0, perCall(costctl, costctl.analysis.totals.costctl));
  console.log(`  costctl's own code by function (its callees included), us per call:`);
  printTop(costctl.analysis.byFunction, (value) => perCall(costctl, value), 14);
  console.log(`  what ran inside costctl's own code (leaf functions), us per call:`);
  printTop(costctl.analysis.byLeaf, (value) => perCall(costctl, value), 14);
  console.log(`  outside costctl's code, the leaf functions that grew most (costctl's indirect cost), us per call raw -> costctl:`);
  const grown = new Map();
  for (const [place, value] of costctl.analysis.outsideByLeaf) {
    grown.set(place, perCall(costctl, value) - perCall(raw, raw.analysis.outsideByLeaf.get(place) ?? 0));
  }
  for (const [place, delta] of [...grown].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    const before = perCall(raw, raw.analysis.outsideByLeaf.get(place) ?? 0);
    console.log(`    ${formatNumber(delta, 1).padStart(7)}  ${place} (${formatNumber(before, 1)} -> ${formatNumber(before + delta, 1)})`);
  }
}

function printTop(map, toUs, count) {
  const top = [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [place, value] of top) console.log(`    ${formatNumber(toUs(value), 1).padStart(7)}  ${place}`);
}

// npm run bench:soak: memory over a long run. A raw and a costctl worker make
// BENCH_SOAK_CALLS JSON calls each (default 1,000,000; 16 in flight) against
// the bench's fake OpenAI, taking turns in 2 s slices; after each slice the
// worker reports its RSS and V8 heap. Prints both at every 10 % of the run and
// the growth from the 10 % mark (everything is warm and every series exists)
// to the end, for each and costctl minus raw: flat means no leak per call.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startServer, Worker } from './processes.mjs';
import { formatNumber } from './report.mjs';

const target = Number(process.env.BENCH_SOAK_CALLS ?? 1_000_000);
const SLICE_MS = 2000;
const COSTCTL = ['--import', process.env.BENCH_REGISTER ?? '@costctl/otel/register'];
const MB = 1024 * 1024;

const stateDir = mkdtempSync(join(os.tmpdir(), 'costctl-soak-state-'));
const server = await startServer({});
const baseUrl = `http://127.0.0.1:${server.port}/v1`;
const env = {
  BENCH_BASE_URL: baseUrl,
  BENCH_CONCURRENCY: '16',
  BENCH_WARMUP_MS: '1000',
  COSTCTL_ENDPOINTS: `openai=${baseUrl}`,
  COSTCTL_STATE_DIR: stateDir,
  OTEL_METRICS_EXPORTER: 'none',
};
const started = performance.now();
// --expose-gc: each worker collects before it reports its memory (bench/workers/serve.mjs).
const sides = {
  raw: await Worker.start('json-fetch.mjs', { nodeArgs: ['--expose-gc'], env }),
  costctl: await Worker.start('json-fetch.mjs', { nodeArgs: ['--expose-gc', ...COSTCTL], env }),
};
/** Per side: [{ calls, rss, heapUsed }] after each slice. */
const samples = { raw: [], costctl: [] };
try {
  const calls = { raw: 0, costctl: 0 };
  while (calls.raw < target || calls.costctl < target) {
    for (const side of ['raw', 'costctl']) {
      if (calls[side] >= target) continue;
      const slice = await sides[side].slice(SLICE_MS);
      calls[side] += slice.calls;
      samples[side].push({ calls: calls[side], rss: slice.rss, heapUsed: slice.heapUsed });
    }
    process.stderr.write(`\rsoak: raw ${calls.raw.toLocaleString('en')}, costctl ${calls.costctl.toLocaleString('en')} calls`);
  }
  process.stderr.write('\n');
  for (const worker of Object.values(sides)) {
    await worker.end();
    await worker.close();
  }
} finally {
  for (const worker of Object.values(sides)) worker.kill();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

/** The sample at or just past `fraction` of the run. */
const at = (side, fraction) => samples[side].find((sample) => sample.calls >= target * fraction) ?? samples[side].at(-1);
const mb = (bytes) => formatNumber(bytes / MB, 1);

console.log(
  `\ncostctl soak: Node ${process.version}, ${target.toLocaleString('en')} JSON calls per side, 16 in flight, ${((performance.now() - started) / 60_000).toFixed(1)} min`,
);
console.log('calls      raw RSS MB  costctl RSS MB   raw heap MB  costctl heap MB');
for (let tenth = 1; tenth <= 10; tenth++) {
  const raw = at('raw', tenth / 10);
  const costctl = at('costctl', tenth / 10);
  console.log(
    `${`${tenth * 10}%`.padEnd(9)}  ${mb(raw.rss).padStart(10)}  ${mb(costctl.rss).padStart(14)}  ${mb(raw.heapUsed).padStart(12)}  ${mb(costctl.heapUsed).padStart(15)}`,
  );
}
const growth = (side, field) => samples[side].at(-1)[field] - at(side, 0.1)[field];
console.log(
  `\ngrowth from 10 % to the end: RSS raw ${mb(growth('raw', 'rss'))} MB, costctl ${mb(growth('costctl', 'rss'))} MB; heap raw ${mb(growth('raw', 'heapUsed'))} MB, costctl ${mb(growth('costctl', 'heapUsed'))} MB`,
);
const perCall = (growth('costctl', 'heapUsed') - growth('raw', 'heapUsed')) / (target * 0.9);
console.log(`costctl's heap growth beyond raw's, per call after the 10 % mark: ${perCall.toFixed(3)} bytes`);

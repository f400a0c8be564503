// What every worker shares. A worker is an ordinary app: it imports nothing
// from costctl and runs the same way with or without
// `--import @costctl/otel/register`. It warms up, prints {"ready":…}, then
// obeys bench/run.mjs line by line on stdin:
//   run <ms>  keep `concurrency` calls in flight for <ms>, print {"slice":…}
//   end       print {"end":…} with every call made (the process exits when stdin closes)
// so that a raw and a costctl worker can take turns in short slices, and
// drift on a shared machine falls on both alike.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';

/** Settings bench/run.mjs passes in the environment. */
export const settings = Object.freeze({
  baseUrl: required('BENCH_BASE_URL'),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 1),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 500),
});

function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set: run the bench through bench/run.mjs`);
  return value;
}

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/**
 * Serves bench/run.mjs with `call` (an async function answering a sample or
 * undefined); `summarise(samples)` adds a slice's own figures (bytes, times).
 */
export async function serve(call, summarise = () => ({})) {
  let totalCalls = (await lanes(call, settings.warmupMs)).calls;
  // The CPU of everything after warm-up, idle time between slices included (timers, batched exports).
  const cpuAtReady = process.cpuUsage();
  send({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.startsWith('run ')) {
      const { samples, ...slice } = await timedSlice(call, Number(line.slice(4)));
      totalCalls += slice.calls;
      send({ slice: { ...slice, ...summarise(samples) } });
    } else if (line === 'end') {
      // benchSpanCount: the spans bench/preload/otel-undici.mjs saw end, when it is loaded (bench/peers/*: the calls a
      // peer recorded, benchUsageCount those with their output tokens); benchBallastBytes: the heap
      // bench/preload/heap-ballast.mjs added; imported: the module bench/preload/import-only.mjs loaded.
      send({
        end: {
          totalCalls,
          fetchIdentity: fetchIdentity(),
          spans: globalThis.benchSpanCount?.(),
          usage: globalThis.benchUsageCount?.(),
          cpuUsSinceReady: cpuSince(cpuAtReady),
          ballastBytes: globalThis.benchBallastBytes?.(),
          imported: globalThis.benchImported?.(),
        },
      });
    }
  }
  // stdin closed. An exporter's server (Prometheus) would keep the process up.
  process.exit(0);
}

async function timedSlice(call, durationMs) {
  // On V8's CPU-profile clock, so bench/profile.mjs can keep only the measured samples.
  const startUs = monotonicUs();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const { calls, samples } = await lanes(call, durationMs);
  const { user, system } = process.cpuUsage(cpu);
  // bench/soak.mjs runs workers with --expose-gc: memory is read after a full collection, so it shows what is live.
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { calls, seconds: (performance.now() - start) / 1000, cpuUs: user + system, window: [startUs, monotonicUs()], samples, rss, heapUsed };
}

function cpuSince(start) {
  const { user, system } = process.cpuUsage(start);
  return user + system;
}

function monotonicUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

async function lanes(call, durationMs) {
  const deadline = performance.now() + durationMs;
  const samples = [];
  let calls = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      const sample = await call();
      calls += 1;
      if (sample !== undefined) samples.push(sample);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, lane));
  return { calls, samples };
}

/** bench/run.mjs checks that costctl runs had another fetch than raw runs: one that silently lost it would look "fast". */
function fetchIdentity() {
  return createHash('sha256').update(Function.prototype.toString.call(globalThis.fetch)).digest('hex').slice(0, 12);
}

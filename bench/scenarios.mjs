// What the bench measures: each scenario is one worker script with its
// settings, the figures it reports (from a process's summed slices), how a
// figure becomes a ratio, and the target that ratio is held to.
import { median } from './report.mjs';
import { JSON_USAGE, STREAM_PROMPT_TOKENS } from './wire.mjs';

/** Time per call, costctl ÷ raw (from calls/s: raw ÷ costctl). Lower is better. */
const timePerCall = (raw, costctl) => raw / costctl;
/** A rate or a duration, costctl ÷ raw. */
const costctlOverRaw = (raw, costctl) => costctl / raw;

const callsPerSecond = {
  unit: 'calls/s',
  of: (run) => run.calls / run.seconds,
  ratioOf: timePerCall,
  ratioMeans: 'time per call',
  target: { atMost: 1.05 },
  digits: 0,
};

const cpuPerCall = {
  unit: 'client CPU us/call',
  of: (run) => run.cpuUs / run.calls,
  ratioOf: costctlOverRaw,
  ratioMeans: 'client CPU per call',
  digits: 0,
};

const sseThroughput = {
  unit: 'MB/s',
  of: (run) => run.bytes / 1e6 / run.seconds,
  ratioOf: costctlOverRaw,
  ratioMeans: 'throughput',
  target: { atLeast: 0.97 },
  digits: 0,
};

/** Whole streams per second through an SDK, which hands the app parsed events rather than bytes. */
const streamsPerSecond = { ...sseThroughput, unit: 'streams/s', of: (run) => run.calls / run.seconds, digits: 1 };

const jsonUsage = (calls) => ({ calls, inputTokens: calls * JSON_USAGE.prompt_tokens, outputTokens: calls * JSON_USAGE.completion_tokens });

/** A ratio shown for what it says, held to no target: the baseline is not the raw call. */
const untargeted = (measure) => ({ ...measure, target: undefined });

const otelUndici = ['--import', new URL('./preload/otel-undici.mjs', import.meta.url).href];

/**
 * @param {{ deltas: number, costctlArgs: string[] }} plan
 */
export function scenarios(plan) {
  return [
    {
      id: 'json-seq',
      title: 'JSON chat call, fetch, 1 in flight',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-memory',
      title: 'JSON chat call, fetch, 1 in flight, 0 rules (memory store)',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      env: { COSTCTL_STORE: 'memory' },
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-noledger',
      title: 'JSON chat call, fetch, 1 in flight, ledger off (COSTCTL_LEDGER=false)',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      // json-seq less the ledger: what the synchronous append of every call's line costs, with json-seq in the same run.
      env: { COSTCTL_LEDGER: 'false' },
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-unbilled',
      title: "JSON call to an endpoint costctl does not bill (the app's other traffic), fetch, 1 in flight",
      worker: 'json-fetch.mjs',
      concurrency: 1,
      // The same call, but the only paid endpoint costctl knows is elsewhere: it goes through costctl's fetch and
      // undici's channels and is left alone. What costctl costs every call it does not price.
      env: { COSTCTL_ENDPOINTS: 'openai=http://127.0.0.1:9/v1' },
      measures: [untargeted(callsPerSecond), cpuPerCall],
      expected: () => ({ unbilled: true }),
    },
    {
      id: 'json-otel',
      title: 'JSON chat call, fetch, 1 in flight: @opentelemetry/instrumentation-undici alone, no costctl',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      measured: { nodeArgs: otelUndici, costctl: false, spans: true },
      measures: [untargeted(callsPerSecond), cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-otel-costctl',
      title: 'JSON chat call, fetch, 1 in flight: costctl beside instrumentation-undici, vs instrumentation-undici alone',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      baseline: { nodeArgs: otelUndici, spans: true },
      measured: { nodeArgs: [...otelUndici, ...plan.costctlArgs], spans: true },
      measures: [untargeted(callsPerSecond), cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-rules10',
      title: 'JSON chat call, fetch, 1 in flight, 10 budget rules (file store)',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      env: { COSTCTL_CONFIG: new URL('./rules-10.json', import.meta.url).pathname },
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-rules10-memory',
      title: 'JSON chat call, fetch, 1 in flight, 10 budget rules (memory store)',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      env: { COSTCTL_CONFIG: new URL('./rules-10.json', import.meta.url).pathname, COSTCTL_STORE: 'memory' },
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-rules10-redis',
      title: 'JSON chat call, fetch, 1 in flight, 10 budget rules (Redis store, loopback)',
      worker: 'json-fetch.mjs',
      concurrency: 1,
      // run.mjs starts a redis-server for the scenarios that need one and sets COSTCTL_REDIS_URL.
      needsRedis: true,
      // A generous timeout: a loaded machine must not fail the store closed mid-run (the default, 50 ms, suits a quiet one).
      env: { COSTCTL_CONFIG: new URL('./rules-10.json', import.meta.url).pathname, COSTCTL_STORE: 'redis', COSTCTL_REDIS_TIMEOUT_MS: '1000' },
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-imported',
      title: "JSON chat call, fetch, 1 in flight: costctl's package imported, not started (nothing patched), vs raw",
      worker: 'json-fetch.mjs',
      concurrency: 1,
      // What loading costctl's modules alone costs json-seq, with none of its code on the call's path.
      ...importing(costctlModule(plan.costctlArgs[1])),
      measures: [untargeted(callsPerSecond)],
      expected: (calls) => ({ calls }),
    },
    {
      id: 'json-http',
      title: 'JSON chat call, node:http request, 1 in flight',
      worker: 'json-http.mjs',
      concurrency: 1,
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'json-c16',
      title: 'JSON chat call, fetch, 16 in flight',
      worker: 'json-fetch.mjs',
      concurrency: 16,
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
    {
      id: 'sse',
      title: `SSE chat stream, fetch + getReader, ${plan.deltas} chunks`,
      worker: 'sse-fetch.mjs',
      concurrency: 1,
      measures: [
        sseThroughput,
        {
          unit: 'ms to 1st chunk',
          of: (run) => median(run.firstByteMs),
          ratioOf: costctlOverRaw,
          ratioMeans: 'time to first byte',
          digits: 2,
        },
        { ...cpuPerCall, unit: 'client CPU us/stream', ratioMeans: 'client CPU per stream' },
      ],
      expected: (calls) => ({ calls, inputTokens: calls * STREAM_PROMPT_TOKENS, outputTokens: calls * plan.deltas }),
    },
    {
      id: 'sse-ballast',
      title: `SSE chat stream, ${plan.deltas} chunks: no costctl, the app's heap grown by as much as costctl's, vs raw`,
      worker: 'sse-fetch.mjs',
      concurrency: 1,
      // What the sse scenario's loss is made of: costctl's loaded heap alone, marked by every full collection.
      measured: { nodeArgs: ['--import', new URL('./preload/heap-ballast.mjs', import.meta.url).href], costctl: false, ballast: true },
      env: { BENCH_BALLAST_BYTES: String(plan.costctlHeapBytes) },
      measures: [untargeted(sseThroughput)],
      expected: (calls) => ({ calls }),
    },
    {
      id: 'sse-imported',
      title: `SSE chat stream, ${plan.deltas} chunks: costctl's package imported, not started (nothing patched), vs raw`,
      worker: 'sse-fetch.mjs',
      concurrency: 1,
      // The rest of the sse scenario's loss: costctl's modules loaded, none of its code on the call's path.
      ...importing(costctlModule(plan.costctlArgs[1])),
      measures: [untargeted(sseThroughput)],
      expected: (calls) => ({ calls }),
    },
    {
      id: 'sse-openai-imported',
      title: `SSE chat stream, ${plan.deltas} chunks: no costctl, the openai client imported and unused, vs raw`,
      worker: 'sse-fetch.mjs',
      concurrency: 1,
      // The same for a module any app of this kind loads: the raw side of the sse scenario is an app that loads nothing.
      ...importing('openai'),
      measures: [untargeted(sseThroughput)],
      expected: (calls) => ({ calls }),
    },
    {
      id: 'sse-sdk',
      title: `SSE chat stream, openai SDK (for await of its chunks), ${plan.deltas} chunks`,
      worker: 'sse-openai.mjs',
      concurrency: 1,
      measures: [streamsPerSecond, { ...cpuPerCall, unit: 'client CPU us/stream', ratioMeans: 'client CPU per stream' }],
      expected: (calls) => ({ calls, inputTokens: calls * STREAM_PROMPT_TOKENS, outputTokens: calls * plan.deltas }),
    },
    {
      id: 'sdk',
      title: 'JSON chat call, openai SDK, 1 in flight',
      worker: 'json-openai.mjs',
      concurrency: 1,
      measures: [callsPerSecond, cpuPerCall],
      expected: jsonUsage,
    },
  ];
}

/** A measured side without costctl that imports `specifier` before the app runs (bench/preload/import-only.mjs). */
function importing(specifier) {
  return {
    measured: { nodeArgs: ['--import', new URL('./preload/import-only.mjs', import.meta.url).href], costctl: false, imports: specifier },
    env: { BENCH_IMPORT: specifier },
  };
}

/** The package entry of the costctl build whose `register` module is `registerSpecifier`. */
function costctlModule(registerSpecifier) {
  return registerSpecifier === '@costctl/otel/register' ? '@costctl/otel' : new URL('./index.js', registerSpecifier).href;
}

/**
 * The environment both sides of `scenario` run with: the fake provider as the
 * paid endpoint, costctl's state under `stateDir`, a Redis store when there is
 * one, then the scenario's own settings.
 */
export function scenarioEnv(scenario, { baseUrl, warmupMs, stateDir, redis }) {
  return {
    BENCH_BASE_URL: baseUrl,
    BENCH_CONCURRENCY: String(scenario.concurrency),
    BENCH_WARMUP_MS: String(warmupMs),
    COSTCTL_ENDPOINTS: `openai=${baseUrl}`,
    COSTCTL_STATE_DIR: stateDir,
    ...(redis ? { COSTCTL_REDIS_URL: redis.url } : {}),
    ...scenario.env,
  };
}

/** The node args of a scenario's two sides: by default raw, and costctl (`costctlArgs`). */
export function sidesOf(scenario, costctlArgs) {
  return { raw: scenario.baseline?.nodeArgs ?? [], costctl: scenario.measured?.nodeArgs ?? costctlArgs };
}

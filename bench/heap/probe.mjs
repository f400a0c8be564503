// One measurement of bench/heap.mjs: loads what argv[2] names (nothing, a
// dependency of costctl, or costctl itself, started as register starts it),
// collects until the heap is steady, and prints V8's used heap in bytes.
// Run with --expose-gc, from the repository (it resolves costctl's deps).
import v8 from 'node:v8';

const parts = {
  bare: async () => {},
  zod: () => import('zod'),
  yaml: () => import('yaml'),
  'price data': () => import('@pydantic/genai-prices'),
  'OTel metrics SDK': async () => {
    await import('@opentelemetry/sdk-metrics');
    await import('@opentelemetry/resources');
  },
  'Prometheus exporter': async () => {
    await parts['OTel metrics SDK']();
    await import('@opentelemetry/exporter-prometheus');
  },
  'OTLP exporter': async () => {
    await parts['OTel metrics SDK']();
    await import('@opentelemetry/exporter-metrics-otlp-http');
  },
  costctl: () => import('@costctl/otel/register'),
};

const load = parts[process.argv[2]];
if (load === undefined) throw new Error(`unknown part ${process.argv[2]}: one of ${Object.keys(parts).join(', ')}`);
await load();
let used = Infinity;
// Until a collection frees nothing more: what is left is what stays live.
for (let i = 0; i < 10; i++) {
  globalThis.gc();
  const now = v8.getHeapStatistics().used_heap_size;
  if (now >= used) break;
  used = now;
}
process.stdout.write(`${JSON.stringify({ part: process.argv[2], usedHeap: used })}\n`);
process.exit(0);

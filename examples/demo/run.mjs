// The demo: a fake OpenAI/Anthropic server with realistic latencies, an app
// using the official SDKs started with `--import @costctl/otel/register`, and
// what costctl exported on /metrics, summed up per model.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startFakeProvider } from '@costctl/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
const provider = await startFakeProvider({ latencyMs: 150, chunkDelayMs: 12 });
const port = await freePort();

console.log(`Fake provider (OpenAI + Anthropic wire formats) on ${provider.url}`);
console.log('Running: node --import @costctl/otel/register app.mjs\n');

const app = spawn(process.execPath, ['--import', '@costctl/otel/register', 'app.mjs'], {
  cwd: here,
  stdio: ['pipe', 'pipe', 'inherit'],
  env: {
    ...process.env,
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    OTEL_SERVICE_NAME: 'costctl-demo',
  },
});
await new Promise((resolve, reject) => {
  let buffered = '';
  app.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    for (let newline; (newline = buffered.indexOf('\n')) !== -1; ) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line === 'DONE') resolve();
      else console.log(line);
    }
  });
  app.once('exit', (code) => reject(new Error(`the app exited early (${code})`)));
});

const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
app.stdin.end();
await provider.close();

const samples = metrics
  .split('\n')
  .filter((line) => line.startsWith('costctl_'))
  .map((line) => {
    const [, name, labels = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line) ?? [];
    return { line, name, value: Number(value), labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])) };
  });
const byModel = new Map();
for (const { name, labels, value } of samples) {
  const key = `${labels.gen_ai_provider_name} ${labels.gen_ai_request_model}`;
  const row = byModel.get(key) ?? { cost: 0, source: new Set(), input: 0, output: 0, calls: 0, unpriced: '' };
  if (name === 'costctl_cost_usd_total') (row.cost += value), row.source.add(labels.costctl_cost_source);
  if (name === 'costctl_tokens_total' && labels.gen_ai_token_type === 'input') row.input += value;
  if (name === 'costctl_tokens_total' && labels.gen_ai_token_type === 'output') row.output += value;
  if (name === 'costctl_requests_total') row.calls += value;
  if (name === 'costctl_unpriced_requests_total') row.unpriced = `unpriced: ${labels.costctl_reason}`;
  byModel.set(key, row);
}

console.log('\nCost by model, from the app\'s /metrics:\n');
console.log(`  ${'provider model'.padEnd(34)} ${'calls'.padStart(5)} ${'in tok'.padStart(7)} ${'out tok'.padStart(7)} ${'cost USD'.padStart(12)}  source`);
let total = 0;
for (const [key, row] of [...byModel].sort()) {
  total += row.cost;
  const cost = row.unpriced ? '—' : row.cost.toFixed(8);
  console.log(`  ${key.padEnd(34)} ${String(row.calls).padStart(5)} ${String(row.input).padStart(7)} ${String(row.output).padStart(7)} ${cost.padStart(12)}  ${row.unpriced || [...row.source].join(', ')}`);
}
console.log(`  ${'total'.padEnd(34)} ${''.padStart(5)} ${''.padStart(7)} ${''.padStart(7)} ${total.toFixed(8).padStart(12)}`);

console.log(`\nCost, request and unpriced lines of http://127.0.0.1:${port}/metrics (tokens and histograms are there too):\n`);
for (const { line } of samples.filter((sample) => /^costctl_(cost|requests|unpriced)/.test(sample.name))) console.log(`  ${line.replace(/,?otel_scope_name="[^"]*"/, '')}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

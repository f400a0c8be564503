// The demo: a fake OpenAI/Anthropic server with realistic latencies, an app
// using the official SDKs started with `--import @costctl/otel/register`, and
// what costctl exported on /metrics, summed up per model.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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
    COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-demo-')),
    // The demo's calls go to a fake provider: how old the price data is does not matter to it.
    COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
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

const samples = metrics
  .split('\n')
  .filter((line) => line.startsWith('costctl_'))
  .map((line) => {
    const [, name, labels = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line) ?? [];
    return { line, name, value: Number(value), labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])) };
  });
const byModel = new Map();
// Gauges of the gate, the store and a provider's clock skew name no model: they are not a model's row.
for (const { name, labels, value } of samples.filter((sample) => sample.labels.gen_ai_request_model !== undefined)) {
  const key = `${labels.gen_ai_provider_name} ${labels.gen_ai_request_model}`;
  const row = byModel.get(key) ?? { cost: 0, source: new Set(), input: 0, output: 0, calls: 0, unpriced: '' };
  if (name === 'costctl_cost_usd_total') (row.cost += value), row.source.add(labels.costctl_cost_source);
  if (name === 'costctl_tokens_total' && labels.gen_ai_token_type === 'input') row.input += value;
  if (name === 'costctl_tokens_total' && labels.gen_ai_token_type === 'output') row.output += value;
  if (name === 'costctl_requests_total') row.calls += value;
  if (name === 'costctl_unpriced_requests_total') row.unpriced = `unpriced: ${labels.costctl_reason}`;
  byModel.set(key, row);
}

console.log("\nCost by model, from the app's /metrics:\n");
console.log(`  ${'provider model'.padEnd(34)} ${'calls'.padStart(5)} ${'in tok'.padStart(7)} ${'out tok'.padStart(7)} ${'cost USD'.padStart(12)}  source`);
let total = 0;
for (const [key, row] of [...byModel].sort()) {
  total += row.cost;
  const cost = row.unpriced ? '—' : row.cost.toFixed(8);
  console.log(
    `  ${key.padEnd(34)} ${String(row.calls).padStart(5)} ${String(row.input).padStart(7)} ${String(row.output).padStart(7)} ${cost.padStart(12)}  ${row.unpriced || [...row.source].join(', ')}`,
  );
}
console.log(`  ${'total'.padEnd(34)} ${''.padStart(5)} ${''.padStart(7)} ${''.padStart(7)} ${total.toFixed(8).padStart(12)}`);

console.log(
  `\nCost, request and unpriced lines of http://127.0.0.1:${port}/metrics (tokens and histograms are there too; sums shown to 12 significant digits):\n`,
);
for (const { line } of samples.filter((sample) => /^costctl_(cost|requests|unpriced)/.test(sample.name))) {
  // A sum of binary fractions prints as 0.00027000000000000006; the twelve digits that mean something are what a reader needs.
  const shown = line.replace(/,?otel_scope_name="[^"]*"/, '').replace(/ (\S+)$/, (_, value) => ` ${Number(Number(value).toPrecision(12))}`);
  console.log(`  ${shown}`);
}

await budgetsAndTheGate();
await provider.close();

/**
 * Act two: a small budget on a second app, its alerts, a blocked call, the
 * gate tripped and reset by an operator from another process with the CLI.
 */
async function budgetsAndTheGate() {
  const stateDir = mkdtempSync(join(tmpdir(), 'costctl-demo-'));
  // gpt-4o with 24 output tokens costs about $0.000253 a call.
  const config = join(stateDir, 'costctl.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      evaluationIntervalMillis: 200,
      rules: [
        { name: 'openai_daily', limit: 0.0024, window: 'day', scope: { provider: 'openai' }, action: 'block' },
        { name: 'all_daily_watch', limit: 0.002125, window: 'day', action: 'alert' },
      ],
    }),
  );
  const env = {
    ...process.env,
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_CONFIG: config,
    COSTCTL_STATE_DIR: stateDir,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
    OTEL_METRICS_EXPORTER: 'none',
    COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
  };
  console.log('\n── Budgets and the emergency gate ──\n');
  console.log('Rules: openai_daily blocks OpenAI calls past $0.0024 a day; all_daily_watch alerts at 70 %, 90 % and 100 % of $0.002125.\n');

  const budgetApp = spawn(process.execPath, ['--import', '@costctl/otel/register', 'budget-app.mjs'], { cwd: here, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const answers = createInterface({ input: budgetApp.stdout });
  const pending = [];
  answers.on('line', (line) => pending.shift()?.(line));
  createInterface({ input: budgetApp.stderr }).on('line', (line) => {
    const entry = JSON.parse(line);
    if (entry.budgetLevel) console.log(`    costctl alert: ${entry.rule} is ${entry.budgetLevel} (spent $${entry.spent.toFixed(6)} of $${entry.limit})`);
    else console.log(`    costctl ${entry.level}: ${entry.msg}`);
  });
  const call = async (provider) => {
    budgetApp.stdin.write(`${provider}\n`);
    console.log(`  app → ${await new Promise((resolve) => pending.push(resolve))}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  const cli = (args) => {
    console.log(`\n  $ costctl ${args.map((arg) => (arg.includes(' ') ? `"${arg}"` : arg)).join(' ')}`);
    const result = spawnSync(process.execPath, [join(here, '../../packages/cli/dist/main.js'), ...args], { env, encoding: 'utf8' });
    for (const line of `${result.stdout}${result.stderr}`.trimEnd().split('\n')) console.log(`    ${line}`);
    console.log(`    (exit ${result.status})\n`);
  };

  for (let i = 0; i < 10; i++) await call('openai');
  cli(['status']);
  cli(['gate', 'trip', '--reason', 'demo: runaway agent suspected', '--actor', 'alice']);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await call('anthropic');
  cli(['status']);
  cli(['gate', 'reset', '--reason', 'demo: agent fixed', '--actor', 'bob']);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await call('anthropic');
  await call('openai');
  budgetApp.stdin.end();
  await new Promise((resolve) => budgetApp.once('exit', resolve));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

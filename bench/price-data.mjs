// node bench/price-data.mjs: what keeping prices current costs, each figure a
// ratio to a baseline timed in the same run:
//   * a reload (read the state directory's prices.json, validate it, swap it
//     in), off every call's path, against JSON.parse of the same bytes, the
//     least any reader of the file does;
//   * pricing a call with updated data in use, against the bundled data: the
//     per-call work must not change (one integer compare of the data's
//     generation).
// Build first (npm run build); the package's build is imported from dist.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUpdate } from '@pydantic/genai-prices';
import { preparePriceData, priceDataPath, readStoredPriceData, writePriceData } from '../packages/otel/dist/pricing/price-data-file.js';
import { REQUIRED_PROVIDERS, useBundledPriceData, usePriceData } from '../packages/otel/dist/pricing/price-data.js';
import { PriceTable } from '../packages/otel/dist/pricing/price-table.js';
import { formatRatio } from './report.mjs';

const ROUNDS = 7;

/** The best of ROUNDS rounds of `n` runs of `work`, in µs per run. */
function microsPerRun(work, n) {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) work(i);
    best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  return best;
}

const text = JSON.stringify(await waitForUpdate());
const prepared = preparePriceData({ text, origin: 'bench', modified: undefined }, Date.now(), REQUIRED_PROVIDERS);
if (!prepared.ok) throw new Error(prepared.problem);
const dir = mkdtempSync(join(tmpdir(), 'costctl-bench-prices-'));
const path = await writePriceData(dir, prepared.value);
const stored = readFileSync(path, 'utf8');

const parse = microsPerRun(() => JSON.parse(stored), 5);
const reload = microsPerRun(() => {
  const read = readStoredPriceData(readFileSync(priceDataPath(dir), 'utf8'), path, REQUIRED_PROVIDERS);
  if (!read.ok) throw new Error(read.problem);
  usePriceData(read.value);
}, 5);
console.log(
  `reload of ${(stored.length / 1e6).toFixed(2)} MB of price data: ${(reload / 1000).toFixed(1)} ms, ${formatRatio(reload / parse)} JSON.parse of it (${(parse / 1000).toFixed(1)} ms)`,
);

const usage = { input: 1200, output: 300, cacheRead: 200, cacheWrite: 0, reasoning: 0 };
const models = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o'];
const priceMany = (table) => (i) => table.price('openai', 'openai', models[i % 3], usage);
useBundledPriceData();
const bundledTable = new PriceTable();
const bundled = microsPerRun(priceMany(bundledTable), 200_000);
usePriceData(prepared.value);
const updatedTable = new PriceTable();
const updated = microsPerRun(priceMany(updatedTable), 200_000);
console.log(
  `pricing a call with updated data in use: ${(updated * 1000).toFixed(0)} ns, ${formatRatio(updated / bundled)} the bundled data (${(bundled * 1000).toFixed(0)} ns)`,
);

// node bench/ledger.mjs: what the ledger costs per call, in one process,
// against the line's own serialisation (ledgerLine, which any ledger pays),
// measured in the same run. Two costs per writer:
//   * on the call's tick: the time record() takes where the call ends;
//   * CPU per call: the process's CPU (every thread, so the writes the
//     thread pool does count) over the run, commits included.
// Writers: a synchronous write per call (one writeSync on the O_APPEND
// file, the way to write a ledger line when the call ends) and LedgerWriter
// (group commit, off the call's tick). Two paces of calls: one every
// millisecond (a handful of lines per commit) and back to back (the
// commit's 64 KiB threshold). BENCH_LEDGER_BASE=/path/to/another/dist adds
// that build's LedgerWriter, to compare before and after a change. Build
// first (npm run build).
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ledgerLine } from '../packages/otel/dist/ledger/entry.js';
import { LedgerWriter } from '../packages/otel/dist/ledger/writer.js';
import { formatRatio } from './report.mjs';

const ROUNDS = 5;
const result = {
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: 'chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012',
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.4567,
  labels: { tenant: 'acme' },
  billable: true,
  usage: { input: 148, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.0000606, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
};

/** The way a ledger line is written when the call ends: one synchronous write per call. */
function syncAppend(dir) {
  const fd = openSync(join(dir, 'ledger-sync.jsonl'), 'a', 0o600);
  return { record: (call) => writeSync(fd, ledgerLine(call, Date.now())), close: async () => closeSync(fd) };
}

const writers = {
  'ledgerLine only (baseline)': () => ({ record: (call) => ledgerLine(call, Date.now()), close: async () => {} }),
  'writeSync per call': syncAppend,
  'LedgerWriter (this build)': (dir) => new LedgerWriter(dir, { timeZone: 'UTC' }),
};
if (process.env.BENCH_LEDGER_BASE) {
  const { LedgerWriter: BaseWriter } = await import(pathToFileURL(join(process.env.BENCH_LEDGER_BASE, 'ledger/writer.js')).href);
  writers['LedgerWriter (BENCH_LEDGER_BASE)'] = (dir) => {
    const writer = new BaseWriter(dir, { timeZone: 'UTC' });
    return { record: (call) => writer.record(call), close: async () => writer.close() };
  };
}

const pause = (pace) => new Promise((resolve) => (pace === 'back to back' ? setImmediate(resolve) : setTimeout(resolve, 1)));

/** One run of `calls` calls at `pace`: µs on the call's tick and CPU µs per call, all written by the end. */
async function measure(make, pace, calls) {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-bench-ledger-'));
  const writer = make(dir);
  let onTick = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    writer.record(result);
    onTick += performance.now() - start;
    await pause(pace);
  }
  await writer.close();
  const used = process.cpuUsage(cpu);
  rmSync(dir, { recursive: true, force: true });
  return { onTick: (onTick * 1000) / calls, cpu: (used.user + used.system) / calls };
}

const rows = [];
for (const [pace, calls] of [
  ['1 per ms', 2_000],
  ['back to back', 20_000],
]) {
  const best = {};
  // Rounds take turns between the writers, so drift on a shared machine falls on each alike; the least disturbed round counts.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of Object.entries(writers)) {
      const run = await measure(make, pace, calls);
      const was = best[name];
      best[name] = { onTick: Math.min(was?.onTick ?? Infinity, run.onTick), cpu: Math.min(was?.cpu ?? Infinity, run.cpu) };
    }
  }
  const base = best['ledgerLine only (baseline)'];
  for (const [name, { onTick, cpu }] of Object.entries(best)) {
    rows.push([
      `${pace}: ${name}`,
      `${onTick.toFixed(2)} us on the call's tick`,
      formatRatio(onTick / base.onTick),
      `${cpu.toFixed(2)} us CPU/call`,
      formatRatio(cpu / base.cpu),
    ]);
  }
}

console.log(`\nthe ledger's cost per call in one process: Node ${process.version}, best of ${ROUNDS} rounds, ratios to ledgerLine only\n`);
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('  '));

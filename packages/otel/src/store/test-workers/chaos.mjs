// Reserves, commits (writing a ledger line for each), releases and flips the
// gate in a tight loop until the parent kills it with SIGKILL. Integer
// amounts, so sums compare exactly.
import { LedgerWriter } from '../../../dist/ledger/writer.js';
import { FileStore } from '../../../dist/store/file.js';

const [stateDir, leaseMillis] = process.argv.slice(2);
const store = new FileStore(stateDir);
// A first open waits while another process holds the file locked; from then on the store answers at once.
await store.gate();
const expiresAt = Date.now() + 3_600_000;
const entries = (amount) => [
  { counter: 'chaos|day', window: ['chaos|day'], amount, limit: 1e12, expiresAt },
  { counter: 'chaos|bucket|1', window: ['chaos|bucket|0', 'chaos|bucket|1'], amount: 1, limit: undefined, expiresAt },
];
const ledger = new LedgerWriter(stateDir, { timeZone: 'UTC' });
const call = {
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: `chatcmpl-${process.pid}`,
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.25,
  labels: { tenant: 'chaos' },
  billable: true,
  usage: { input: 120, output: 48, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.0000468, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
};
const held = [];
let wrote = false;
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const dice = Math.random();
  if (dice < 0.45) {
    const result = store.reserve(entries(1 + (i % 5)), Number(leaseMillis), Date.now());
    if (result.ok) held.push(result.id);
  } else if (dice < 0.9) {
    const id = held.shift();
    if (id !== undefined && dice < 0.8) {
      store.commit(
        id,
        entries(1).map(({ counter }) => ({ counter, amount: 1, expiresAt })),
        Date.now(),
      );
      ledger.record(call);
      // The ledger commits off the call's tick: a loop that never yields would never write it.
      await ledger.flush();
      // Tells the parent that a kill from now on lands with ledger lines written.
      if (!wrote) process.stdout.write('wrote\n');
      wrote = true;
    } else if (id !== undefined) store.release(id);
  } else if (dice < 0.93) {
    store.changeGate({ action: dice < 0.915 ? 'trip' : 'reset', reason: `chaos ${process.pid} #${i}`, actor: 'chaos' }, Date.now());
  }
}

// Reserves 9 of a limit of 10 with a short lease, says when, then waits to be killed.
import { FileStore } from '../../../dist/store/file.js';

const [stateDir, leaseMillis] = process.argv.slice(2);
const store = new FileStore(stateDir);
// A first open waits while another process holds the file locked; from then on the store answers at once.
await store.gate();
const now = Date.now();
const result = store.reserve([{ counter: 'lease', window: ['lease'], amount: 9, limit: 10, expiresAt: now + 3_600_000 }], Number(leaseMillis), now);
process.stdout.write(`${JSON.stringify({ ok: result.ok, now })}\n`);
setInterval(() => {}, 60_000);

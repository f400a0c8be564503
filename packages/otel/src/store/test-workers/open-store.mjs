// Opens a FileStore, uses it, closes it: whatever it prints on stderr is what an app would see.
import { FileStore } from '../../../dist/store/file.js';

const [stateDir] = process.argv.slice(2);
const store = new FileStore(stateDir);
// A first open waits while another process holds the file locked; from then on the store answers at once.
await store.gate();
const now = Date.now();
const result = store.reserve([{ counter: 'quiet', window: ['quiet'], amount: 1, limit: 10, expiresAt: now + 60_000 }], 60_000, now);
if (result.ok) store.commit(result.id, [{ counter: 'quiet', amount: 1, expiresAt: now + 60_000 }], now);
store.close();
process.stdout.write(`${JSON.stringify(result.ok)}\n`);

// Reserves `count` times, amount 1, against one shared limit, in a tight loop
// started when the parent writes a line; prints the ids it got as JSON.
// Imports the build (npm run build) because plain node cannot load the .ts source.
import { FileStore } from '../../../dist/store/file.js';

const [stateDir, count, limit] = process.argv.slice(2);
const store = new FileStore(stateDir);
// A first open waits while another process holds the file locked; from then on the store answers at once.
await store.gate();
const entry = { counter: 'race', window: ['race'], amount: 1, limit: Number(limit), expiresAt: Date.now() + 3_600_000 };
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const ids = [];
  for (let i = 0; i < Number(count); i++) {
    const result = store.reserve([entry], 600_000, Date.now());
    if (result.ok) ids.push(result.id);
  }
  store.close();
  process.stdout.write(`${JSON.stringify(ids)}\n`);
  process.stdin.destroy();
});

// Prints every gate change this process hears of, as a JSON line with the
// instant it heard it (ms, sub-ms precision); stops when stdin closes.
import { FileStore } from '../../../dist/store/file.js';

const [stateDir] = process.argv.slice(2);
const store = new FileStore(stateDir);
// A first open waits while another process holds the file locked; from then on the store answers at once.
await store.gate();
store.onGateChange((state) => {
  const at = performance.timeOrigin + performance.now();
  process.stdout.write(`${JSON.stringify({ tripped: state.tripped, reason: state.reason, at })}\n`);
});
process.stdout.write('ready\n');
process.stdin.on('data', () => {});
process.stdin.on('end', () => store.close());

// An app's heap grown by as much as costctl's, with no costctl: small live
// objects (the shape price data and schemas have) until V8's used heap has
// grown by BENCH_BALLAST_BYTES, which bench/run.mjs sets to what starting
// costctl adds (bench/heap.mjs). Beside the `sse` scenario, `sse-ballast`
// shows what a heap of that size alone costs a stream read, as every full
// collection marks it. The worker reports the bytes added
// (globalThis.benchBallastBytes), so a run without the ballast cannot pass.
import v8 from 'node:v8';

const wanted = Number(process.env.BENCH_BALLAST_BYTES);
if (!(wanted > 0)) throw new Error('BENCH_BALLAST_BYTES is not set: run the bench through bench/run.mjs');

const start = v8.getHeapStatistics().used_heap_size;
const ballast = [];
let added = 0;
while (added < wanted) {
  for (let i = 0; i < 1000; i++) ballast.push({ id: ballast.length, name: `entry-${ballast.length}`, values: [i, i / 2] });
  added = v8.getHeapStatistics().used_heap_size - start;
}
globalThis.benchBallast = ballast;
globalThis.benchBallastBytes = () => added;

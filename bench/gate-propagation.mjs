// How long a gate change takes to reach another instrumented process
// sharing the store (the file store, then the Redis store): a watcher
// started with costctl's API reports each change it sees; this process
// trips and resets through openState (as `costctl gate` does) and prints
// p50/p99 of the delays. Run after `npm run build`:
// node bench/gate-propagation.mjs [changes]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openState } from '@costctl/otel';
import { startRedisServer } from './redis.mjs';

const changes = Number(process.argv[2] ?? 60);
const stateDir = mkdtempSync(join(tmpdir(), 'costctl-gate-bench-'));
const redis = await startRedisServer();
try {
  await measure('file store', { COSTCTL_STORE: 'file' }, 100);
  await measure('Redis store', { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url }, 50);
} finally {
  await redis.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

async function measure(store, storeEnv, targetMs) {
  const env = { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: stateDir, OTEL_METRICS_EXPORTER: 'none', ...storeEnv };
  const watcher = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { start } from '@costctl/otel';
    const costctl = start();
    // Heard the moment this process's gate changes: what a call would read from then on.
    costctl.gate.onChange((state, previous) => {
      if (state.tripped !== previous.tripped) console.log(String(Date.now()));
    });
    console.log('ready');
    process.stdin.on('end', () => process.exit(0)).resume();
  `,
    ],
    { env, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: watcher.stdout });
  const next = () => new Promise((resolve) => lines.once('line', resolve));
  await next();

  const state = await openState({ env });
  const delays = [];
  for (let i = 0; i < changes; i++) {
    // Land at a random moment of the watcher's poll, as real trips do.
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
    const seen = next();
    const at = Date.now();
    if (i % 2 === 0) await state.gate.trip({ reason: `bench ${i}`, actor: 'bench' });
    else await state.gate.reset({ reason: `bench ${i}`, actor: 'bench' });
    delays.push(Number(await seen) - at);
  }
  await state.close();
  watcher.stdin.end();

  delays.sort((a, b) => a - b);
  const at = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
  console.log(`gate propagation between processes (${store}), ${changes} changes, Node ${process.version}:`);
  console.log(`  p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${delays.at(-1)} ms  (target: p99 within ${targetMs} ms)`);
}

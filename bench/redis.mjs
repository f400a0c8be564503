// A redis-server of the bench's own, on a free loopback port, keeping nothing
// on disk: from PATH, or installed from Debian's package by
// scripts/ensure-redis.sh.
import { execFileSync, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './processes.mjs';

/** Starts redis-server; resolves to `{ url, stop }` once it accepts connections. */
export async function startRedisServer() {
  const binary = execFileSync('bash', [fileURLToPath(new URL('../scripts/ensure-redis.sh', import.meta.url))], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let attempt = 0; !(await accepts(port)); attempt++) {
    if (attempt > 200 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
    await sleep(25);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => (child.exitCode === null ? (child.once('exit', resolve), child.kill()) : resolve())),
  };
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

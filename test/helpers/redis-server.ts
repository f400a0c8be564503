import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createClient, type RedisClientType } from '@redis/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { repoRoot } from './run-app.js';

let binary: string | undefined;

/**
 * The `redis-server` binary, from PATH or installed from Debian's package by
 * scripts/ensure-redis.sh. Throws when neither works: a test that needs
 * Redis fails, never skips.
 */
export function ensureRedis(): string {
  binary ??= execFileSync('bash', [join(repoRoot, 'scripts/ensure-redis.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return binary;
}

export interface RedisServerOptions {
  /** `requirepass`: clients must AUTH. */
  password?: string;
  /** Serve TLS only (`rediss://`), with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
}

/** A `redis-server` of a test's own, on a free loopback port, keeping nothing on disk. */
export interface RedisServer {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port`, or `rediss://…` with TLS. */
  readonly url: string;
  /** Kills the server at once (SIGKILL): clients see the connection drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (as after a crash without persistence). */
  restart(): Promise<void>;
  /** Stops the server (SIGSTOP) so it accepts connections but answers nothing: a hung Redis. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * Starts a real Redis server for one test file.
 *
 * @example
 * const redis = await startRedis();
 * const store = new RedisStore({ url: redis.url });
 * await redis.stop();
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const path = ensureRedis();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'costctl-redis-'));
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    child = spawn(path, args, { stdio: 'ignore' });
    await waitForPort(port, child);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    kill,
    restart: launch,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before listening on ${port}`);
    if (await accepts(port)) return;
    await sleep(25);
  }
  throw new Error(`redis-server did not listen on ${port} within 5 s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A self-signed certificate and key for 127.0.0.1 (openssl), for a TLS Redis
 * the tests start: Node trusts it through NODE_EXTRA_CA_CERTS.
 */
export function selfSignedCert(prefix: string): { dir: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1'];
  execFileSync('openssl', [...args, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { dir, certFile, keyFile };
}

/** Runs `use` with a fresh client of the Redis at `url`, closed afterwards. */
export async function withRedisClient<T>(url: string, use: (client: RedisClientType) => Promise<T>): Promise<T> {
  const client = createClient({ url }) as RedisClientType;
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

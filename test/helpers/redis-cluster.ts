import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { ensureRedis } from './redis-server.js';

const run = promisify(execFile);

/** One `redis-server` of the cluster. */
export interface ClusterNode {
  readonly port: number;
  /** Kills it at once (SIGKILL): clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts it again on its port with its node table: it rejoins the cluster. */
  restart(): Promise<void>;
  /** Stops it (SIGSTOP): it answers nothing, and takes no part in a failover, until resumed. */
  pause(): void;
  resume(): void;
}

/** A Redis Cluster of a test's own, on free loopback ports, keeping nothing but its node tables on disk. */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `redis://[:password@]127.0.0.1:port` (`rediss://` with TLS) of the first node: a store discovers the others from it. */
  readonly url: string;
  /** The node serving `key`'s slot as its master now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** The replica of `master`. */
  replicaOf(master: ClusterNode): Promise<ClusterNode>;
  /** Runs `redis-cli -p <node> …` and returns what it prints. */
  cli(node: ClusterNode, ...args: string[]): Promise<string>;
  /** Waits until every live node says the cluster is ok and every master's replica is in sync. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  /** Replicas per master: 1 (default), so a killed master fails over, or 0. */
  replicas?: number;
  /** After how long nodes count one another as failed. Default 1 s. */
  nodeTimeoutMillis?: number;
  /** `requirepass` and `masterauth` of every node. */
  password?: string;
  /** TLS only, between clients and nodes and between nodes, with this certificate (also the CA) and key. */
  tls?: { certFile: string; keyFile: string };
}

/**
 * Starts a real Redis Cluster from Debian's `redis-server` and `redis-cli`:
 * `masters` masters with `replicas` replicas each, created by `redis-cli
 * --cluster create`. Nodes count one another as failed after
 * `nodeTimeoutMillis`, so a replica takes over a killed master within a few
 * times that.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const store = new RedisStore({ url: cluster.url, cluster: true });
 * await cluster.stop();
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicas = 1, nodeTimeoutMillis = 1_000, password, tls } = options;
  const server = ensureRedis();
  // Debian's redis-server depends on redis-tools, which puts redis-cli beside it.
  const redisCli = join(dirname(server), 'redis-cli');
  if (!existsSync(redisCli)) throw new Error(`redis-cli is missing beside ${server}: install Debian's redis-tools (scripts/apt-install.sh redis-tools)`);
  const dir = mkdtempSync(join(tmpdir(), 'costctl-redis-cluster-'));
  const nodes: LiveNode[] = [];
  const extra = [
    ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
    ...(tls === undefined
      ? []
      : [
          '--tls-cert-file',
          tls.certFile,
          '--tls-key-file',
          tls.keyFile,
          '--tls-ca-cert-file',
          tls.certFile,
          '--tls-cluster',
          'yes',
          '--tls-replication',
          'yes',
          '--tls-auth-clients',
          'no',
        ]),
  ];
  // How redis-cli reaches the nodes: the same password and TLS.
  const access = [...(password === undefined ? [] : ['-a', password, '--no-auth-warning']), ...(tls === undefined ? [] : ['--tls', '--cacert', tls.certFile])];
  const answers = (port: number, child: ChildProcess) => answer(redisCli, access, port, child);
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) nodes.push(await startNode(server, dir, nodeTimeoutMillis, extra, tls !== undefined, answers));
  } catch (error) {
    // The nodes started so far must not outlive the test.
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const cli = async (node: ClusterNode, ...args: string[]): Promise<string> => (await run(redisCli, [...access, '-p', String(node.port), ...args])).stdout;
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const cluster: RedisCluster = {
    nodes,
    url: `${tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${nodes[0]!.port}`,
    cli,
    async masterOf(key) {
      // Any live node answers; the first may be the master a test killed.
      const slot = Number((await cli(nodes.find((n) => n.child !== undefined)!, 'cluster', 'keyslot', key)).trim());
      for (;;) {
        for (const node of nodes.filter((n) => n.child !== undefined)) {
          const shards = (await cli(node, '--json', 'cluster', 'slots').catch(() => '[]')).trim();
          for (const [from, to, [, masterPort]] of JSON.parse(shards || '[]') as [number, number, [string, number]][]) {
            if (slot >= from && slot <= to) {
              const master = nodes.find((n) => n.port === masterPort);
              if (master !== undefined && master.child !== undefined) return master;
            }
          }
        }
        await sleep(50);
      }
    },
    async replicaOf(master) {
      const rows = (await cli(master, 'cluster', 'nodes'))
        .trim()
        .split('\n')
        .map((line) => line.split(' '));
      const id = rows.find((row) => row[2]!.includes('myself'))![0];
      const replica = rows.find((row) => row[3] === id);
      const node = nodes.find((n) => replica !== undefined && replica[1]!.startsWith(`127.0.0.1:${n.port}@`));
      if (node === undefined) throw new Error(`no replica of the master on ${master.port}`);
      return node;
    },
    async healthy() {
      for (let waited = 0; ; waited += 50) {
        if (
          await isHealthy(
            cli,
            nodes.filter((n) => n.child !== undefined),
            masters,
            replicas,
          )
        )
          return;
        if (waited > 30_000) throw new Error('the Redis Cluster did not become healthy within 30 s');
        await sleep(50);
      }
    },
    async stop() {
      for (const node of nodes) node.resume();
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await run(redisCli, [
      ...access,
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await cluster.healthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

type LiveNode = ClusterNode & { child?: ChildProcess };

/** A node on two free ports (clients, cluster bus); new ports when another process took one in between. */
async function startNode(
  server: string,
  dir: string,
  nodeTimeoutMillis: number,
  extra: string[],
  tls: boolean,
  answers: (port: number, child: ChildProcess) => Promise<void>,
): Promise<LiveNode> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let busPort = await freePort();
    while (busPort === port) busPort = await freePort();
    const args = [
      ...(tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)]),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-port',
      String(busPort),
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(nodeTimeoutMillis),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ];
    const node: LiveNode = {
      port,
      pause: () => node.child?.kill('SIGSTOP'),
      resume: () => node.child?.kill('SIGCONT'),
      kill: async () => {
        const running = node.child;
        node.child = undefined;
        if (running === undefined || running.exitCode !== null) return;
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGKILL');
        await exited;
      },
      restart: async () => {
        node.child = spawn(server, args, { stdio: 'ignore' });
        await answers(port, node.child);
      },
    };
    try {
      await node.restart();
      return node;
    } catch (error) {
      await node.kill();
      if (attempt === 3) throw error;
    }
  }
}

/** Every node says `cluster_state:ok`, and there are `masters` masters with `replicas` replicas each, in sync. */
async function isHealthy(cli: RedisCluster['cli'], live: ClusterNode[], masters: number, replicas: number): Promise<boolean> {
  for (const node of live) {
    if (!(await cli(node, 'cluster', 'info').catch(() => '')).includes('cluster_state:ok')) return false;
  }
  const table = await cli(live[0]!, 'cluster', 'nodes');
  const rows = table
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const liveMasters = rows.filter((row) => row[2]!.includes('master') && !row[2]!.includes('fail') && row.length > 8);
  const liveReplicas = rows.filter((row) => row[2]!.includes('slave') && !row[2]!.includes('fail'));
  if (liveMasters.length !== masters || liveReplicas.length < masters * replicas) return false;
  for (const node of live) {
    const info = await cli(node, 'info', 'replication').catch(() => '');
    if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
  }
  return true;
}

async function answer(redisCli: string, access: string[], port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before listening on ${port}`);
    if ((await run(redisCli, [...access, '-p', String(port), 'ping']).catch(() => ({ stdout: '' }))).stdout.trim() === 'PONG') return;
    await sleep(25);
  }
  throw new Error(`redis-server did not answer on ${port} within 5 s`);
}

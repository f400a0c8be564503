import { createClient, createCluster, type RedisClientType } from '@redis/client';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How the store reaches Redis: one server (a client and a subscriber
 * connection), or a Redis Cluster (one cluster client, which follows the
 * slots to their masters and moves its subscription when they fail over).
 */

/** The commands the store sends; every key it names lies in one slot. */
export interface Commands {
  readonly isReady: boolean;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  get(key: string): Promise<string | null>;
  xRange(key: string, start: string, end: string): Promise<{ id: string; message: Record<string, string> }[] | null>;
}

/** One step of a SCAN walk, on the node that serves the store's slot. */
export interface Scanner {
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string; keys: string[] }>;
}

export interface Connection {
  readonly commands: Commands;
  /** The command the gate script publishes with: PUBLISH on one server, SPUBLISH (sharded, in the gate's slot) on a cluster. */
  readonly publish: 'PUBLISH' | 'SPUBLISH';
  /** What walks the keys of `slotKey`'s slot: the one server, or the cluster node serving that slot (SCAN is per node). */
  scanner(slotKey: string): Promise<Scanner>;
  /** Connects and listens to `channel`; rejects when Redis cannot be reached now (the clients go on trying). */
  connect(channel: string, onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectionEvents {
  /** A connection failed: Redis is down, or refused us. */
  onError(error: unknown): void;
  /** A connection (re)opened: a gate message may have been missed meanwhile. */
  onReady(): void;
}

export interface ConnectionOptions {
  url: string;
  cluster: boolean;
  timeoutMillis: number;
}

const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, 2_000);

/** One server: commands on one connection, gate messages on another (a subscribed connection takes no commands). */
function serverConnection(options: ConnectionOptions, events: ConnectionEvents): Connection {
  const client = createClient({
    url: options.url,
    // Reject at once while disconnected: a call must never wait for a reconnect.
    disableOfflineQueue: true,
    socket: { connectTimeout: Math.max(options.timeoutMillis, 1_000), reconnectStrategy },
  }) as RedisClientType;
  const subscriber = client.duplicate() as RedisClientType;
  client.on('error', events.onError);
  subscriber.on('error', events.onError);
  subscriber.on('ready', events.onReady);
  return {
    commands: client as unknown as Commands,
    publish: 'PUBLISH',
    scanner: async () => client as unknown as Scanner,
    async connect(channel, onMessage) {
      // The app's own handles decide when it exits: an app done with its work must not be kept alive by the store.
      client.unref();
      subscriber.unref();
      await Promise.all([client.connect(), subscriber.connect()]);
      await subscriber.subscribe(channel, onMessage);
    },
    async close() {
      await Promise.allSettled([client.close(), subscriber.close()]);
    },
  };
}

/**
 * A Redis Cluster reached through `url`, one of its nodes or its
 * configuration endpoint: the client asks it for the others. The URL's
 * credentials and TLS apply to every node. A node's failure is not reported
 * here: only the slot the store uses matters, and its operations say when it
 * cannot be reached (a dead master of another slot must not block calls).
 */
function clusterConnection(options: ConnectionOptions, events: ConnectionEvents): Connection {
  const url = new URL(options.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 6379);
  const socket = { connectTimeout: Math.max(options.timeoutMillis, 1_000), reconnectStrategy };
  const cluster = createCluster({
    rootNodes: [{ socket: url.protocol === 'rediss:' ? { host, port, tls: true } : { host, port } }],
    defaults: {
      username: url.username === '' ? undefined : decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
      disableOfflineQueue: true,
      socket: url.protocol === 'rediss:' ? { ...socket, tls: true } : socket,
    },
    // A master that stopped answering may have failed over: ask the cluster who serves its slots soon, not after 5 s.
    topologyRefreshOnReconnectionAttemptStrategy: 500,
  });
  // Unhandled, an 'error' event would end the process; what matters is reported by the operations.
  let lastError: unknown;
  cluster.on('error', (error: unknown) => (lastError = error));
  cluster.on('node-ready', events.onReady);
  // A cluster client has no unref(): each node's connections are let go as they open, so a finished app can exit.
  cluster.on('node-connect', () => {
    for (const node of [...cluster.masters, ...cluster.replicas]) {
      node.client?.unref();
      (node as { pubSub?: { client?: { unref(): void } } }).pubSub?.client?.unref();
    }
  });
  let closed = false;
  return {
    commands: cluster as unknown as Commands,
    publish: 'SPUBLISH',
    scanner: async (slotKey) => (await cluster.getNodeClientForKey(slotKey)) as unknown as Scanner,
    // Unlike one server's client, a cluster client that could not discover the cluster does not try again: this does.
    async connect(channel, onMessage) {
      for (let attempt = 0; !closed; attempt++) {
        lastError = undefined;
        try {
          if (!cluster.isOpen) await cluster.connect();
          await cluster.sSubscribe(channel, onMessage);
          return;
        } catch (error) {
          // "All the root nodes are unavailable" does not say why; the node's own error (refused, certificate, password) does.
          events.onError(lastError ?? error);
          await sleep(reconnectStrategy(attempt));
        }
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([cluster.close()]);
    },
  };
}

/** Opens the connection the options name; nothing is sent before `connect`. */
export function openConnection(options: ConnectionOptions, events: ConnectionEvents): Connection {
  return options.cluster ? clusterConnection(options, events) : serverConnection(options, events);
}

/**
 * `costctl:` → `{costctl:}`: on a cluster, the prefix is the hash tag, so
 * every key and the gate channel of one prefix land in one slot, as each
 * script needs. A prefix holding a hash tag of its own (`{checkout}:`) is kept.
 */
export function slotPrefix(prefix: string): string {
  const open = prefix.indexOf('{');
  const close = open === -1 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : `{${prefix}}`;
}

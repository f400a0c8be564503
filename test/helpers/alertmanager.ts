// A real Alertmanager for the end-to-end alerting tests: the binary that
// scripts/ensure-alertmanager.sh finds or installs (Debian's
// prometheus-alertmanager), on a free loopback port, with a throw-away data
// directory and no cluster peer port, and a webhook receiver for it to notify.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { repoRoot } from './run-app.js';

/** The `alertmanager` binary, from PATH or installed from Debian; throws when it can be neither, so a test that needs it fails instead of skipping. */
export function ensureAlertmanager(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/ensure-alertmanager.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** An alert as Alertmanager's API v2 lists it. */
export interface ManagedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
}

/**
 * Starts Alertmanager with `config` (the text of an alertmanager.yml) and
 * resolves once it answers /-/ready.
 *
 * @example
 * const alertmanager = await startAlertmanager(ensureAlertmanager(), readFileSync('alertmanager.yml', 'utf8'));
 * await startPrometheus({ binDir, targets, alertmanagers: [alertmanager.target] });
 */
export async function startAlertmanager(bin: string, config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns high availability off: no gossip port, no peers.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  };

  for (let waited = 0; ; waited += 100) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`alertmanager exited at start-up:\n${log}`);
    }
    if (
      await fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    if (waited > 30_000) {
      await stop();
      throw new Error(`alertmanager did not get ready on ${url} within 30 s:\n${log}`);
    }
    await sleep(100);
  }

  return {
    /** `127.0.0.1:PORT`, for Prometheus' `alerting` section. */
    target: `127.0.0.1:${port}`,
    /** The alerts it holds now, inhibited and silenced ones included. */
    async alerts(): Promise<ManagedAlert[]> {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (!response.ok) throw new Error(`alertmanager /api/v2/alerts: HTTP ${response.status}: ${await response.text()}`);
      return (await response.json()) as ManagedAlert[];
    },
    log: () => log,
    stop,
  };
}

/** One alert of a webhook notification. */
export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The body of Alertmanager's webhook notification (version 4). */
export interface WebhookNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: NotifiedAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
}

/**
 * An HTTP server on a free loopback port that keeps every notification
 * POSTed to it, with the path it came to.
 *
 * @example
 * const webhook = await startWebhookReceiver();
 * // an alertmanager.yml with `url: ${webhook.url}/oncall`
 * const notification = await webhook.waitFor((n) => n.path === '/oncall');
 */
export async function startWebhookReceiver() {
  const received: (WebhookNotification & { path: string })[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      try {
        received.push({ ...(JSON.parse(body) as WebhookNotification), path: request.url ?? '' });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** The first notification that satisfies `matches`, once one has arrived; throws with what did arrive after `timeoutMillis`. */
    async waitFor(matches: (notification: WebhookNotification & { path: string }) => boolean, timeoutMillis = 90_000) {
      const deadline = Date.now() + timeoutMillis;
      while (Date.now() < deadline) {
        const found = received.find(matches);
        if (found) return found;
        await sleep(200);
      }
      throw new Error(`no matching webhook notification within ${timeoutMillis} ms; received: ${JSON.stringify(received, null, 1)}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Secrets and prompts never leave the process through costctl (docs/metrics.md): an
// app makes every kind of call with a recognisable key and prompt, and every
// output costctl writes or shapes is searched for them.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runApp } from './helpers/run-app.js';

const KEY = 'sk-live-CANARYKEY-7f3a9c2e41';
const PROMPT = 'CANARYPROMPT: the heron flies at midnight over the quarry';
// Any part of either would be a leak too (a prefix in a truncated log line, say).
const needles = [KEY, KEY.slice(8, 24), PROMPT, 'heron flies at midnight'];

let provider: FakeProvider;
let collector: Server;
const pushed: { path: string; body: string }[] = [];

beforeAll(async () => {
  provider = await startFakeProvider();
  collector = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      pushed.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await provider.close();
  await new Promise((resolve) => collector.close(resolve));
});

function leaks(where: string, text: string): string[] {
  return needles.filter((needle) => text.includes(needle)).map((needle) => `${where} contains ${JSON.stringify(needle)}`);
}

describe('secrets and prompts', () => {
  it('appear in no metric, span, ledger line, audit entry, log line or costctl error', async () => {
    const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const run = await runApp('test/apps/secrets.mjs', {
      env: {
        SECRET_KEY: KEY,
        SECRET_PROMPT: PROMPT,
        FAKE_PROVIDER_URL: provider.url,
        COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
        COSTCTL_LOG_LEVEL: 'debug',
        COSTCTL_BLOCK_MODE: 'throw',
        COSTCTL_DAILY_LIMIT_USD: '0.5',
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      until: () => pushed.some((push) => push.path === '/v1/metrics' && push.body.includes('costctl.cost.usd')),
    });
    const { errors } = run.lines[0] as { errors: { costctl: boolean; message: string; stack: string }[] };

    // Everything was really exercised: a blocked call, spans and metrics pushed, a ledger written.
    expect(errors.some((error) => error.costctl && /budget rule "daily_usd" \(day\) has \$/.test(error.message))).toBe(true);
    expect(pushed.some((push) => push.path === '/v1/traces' && push.body.includes('costctl.cost.usd'))).toBe(true);
    expect(run.metricsText).toMatch(/costctl_cost_usd_total/);
    const ledger = readdirSync(run.stateDir)
      .filter((name) => name.startsWith('ledger-'))
      .map((name) => readFileSync(join(run.stateDir, name), 'utf8'))
      .join('');
    expect(ledger.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(7);

    // An operator trips and resets the gate: the audit log and the CLI's own output.
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: run.stateDir, COSTCTL_DAILY_LIMIT_USD: '0.5' },
      });
    const cliOutput = [
      cli(['gate', 'trip', '--reason', 'privacy check']),
      cli(['status', '--json']),
      cli(['report', '--json']),
      cli(['gate', 'reset', '--reason', 'done']),
    ]
      .map((result) => result.stdout + result.stderr)
      .join('\n');
    const audit = readFileSync(join(run.stateDir, 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/privacy check/);

    const costctlErrors = errors
      .filter((error) => error.costctl)
      .map((error) => `${error.message}\n${error.stack}`)
      .join('\n');
    const found = [
      ...leaks('the /metrics scrape', run.metricsText),
      ...pushed.flatMap((push) => leaks(`the OTLP push to ${push.path}`, push.body)),
      ...leaks('the ledger', ledger),
      ...leaks('the audit log', audit),
      ...leaks("costctl's log lines (stderr, debug level)", run.stderr),
      ...leaks('a costctl error', costctlErrors),
      ...leaks('the CLI output', cliOutput),
    ];
    expect(found).toEqual([]);
  });
});

// The state directory fails under a running app: unusable, or its disk full.
// Calls are still observed, the gate fails closed where the store cannot be
// used, and each failure is said once, clearly, not once per call.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { select, sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(() => provider.reset());

const env = (stateDir: string, extra: Record<string, string> = {}) => ({
  COSTCTL_STATE_DIR: stateDir,
  FAKE_PROVIDER_URL: provider.url,
  COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
  SDK: 'openai',
  CALLS: '4',
  ...extra,
});

/** The JSON log lines costctl wrote at `level`. */
function logLines(stderr: string, level: string): { msg: string }[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; msg: string })
    .filter((line) => line.level === level);
}

describe('a state directory that fails', () => {
  it('that cannot be created: every call is still counted, the gate fails closed, and the store and the ledger each say why once', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'costctl-faults-'));
    // A path below a regular file can never be a directory, whoever runs the test (root ignores permission bits).
    writeFileSync(join(parent, 'not-a-dir'), '');
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env(join(parent, 'not-a-dir', 'state'), { COSTCTL_DAILY_LIMIT_USD: '10' }) });

    expect(run.lines.map((line) => line.blocked)).toEqual(['gate', 'gate', 'gate', 'gate']);
    expect(provider.requests).toHaveLength(0);
    expect(sum(run.samples, 'costctl_requests_total')).toBe(4);
    expect(select(run.samples, 'costctl_gate_tripped')[0]?.value).toBe(1);
    expect(select(run.samples, 'costctl_store_reachable', { costctl_store: 'file' })[0]?.value).toBe(0);
    expect(String(run.lines[0]!.message)).toMatch(/costctl state unreadable: /);
    const errors = logLines(run.stderr, 'error');
    expect(errors.filter((line) => /state file/.test(line.msg))).toHaveLength(1);
    // The ledger says once that it cannot write, and at the app's end how many calls it could not keep.
    expect(errors.filter((line) => /ledger/.test(line.msg)).map((line) => line.msg)).toEqual([
      'costctl could not write the ledger',
      expect.stringMatching(/^costctl lost 4 ledger line\(s\) it could not write/),
    ]);
  });

  it('whose disk is full for the ledger: calls go on and are counted, and one line says the ledger is behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-faults-'));
    mkdirSync(stateDir, { recursive: true });
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    const today = new Date().toISOString().slice(0, 10);
    symlinkSync('/dev/full', join(stateDir, `ledger-${today}.jsonl`));
    const run = await runApp('test/apps/blocked-sdk.mjs', { env: env(stateDir) });

    expect(run.lines.every((line) => line.ok)).toBe(true);
    expect(provider.requests).toHaveLength(4);
    expect(sum(run.samples, 'costctl_cost_usd_total')).toBeGreaterThan(0);
    expect(select(run.samples, 'costctl_store_reachable', { costctl_store: 'file' })[0]?.value).toBe(1);
    const ledgerErrors = logLines(run.stderr, 'error').filter((line) => /could not write the ledger/.test(line.msg));
    expect(ledgerErrors).toHaveLength(1);
    expect(run.stderr).toMatch(/ENOSPC/);
    expect(logLines(run.stderr, 'error').filter((line) => /^costctl lost 4 ledger line\(s\)/.test(line.msg))).toHaveLength(1);
  });
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runApp } from './helpers/run-app.js';
import { freePort } from './helpers/ports.js';

describe('a call that fails before any response', () => {
  it('gives its reservation back: the file store holds no spend and nothing reserved for it', async () => {
    const [refusedPort, silentPort] = [await freePort(), await freePort()];
    const run = await runApp('test/apps/unanswered-calls.mjs', {
      env: {
        REFUSED_PORT: String(refusedPort),
        SILENT_PORT: String(silentPort),
        COSTCTL_ENDPOINTS: `openai=http://127.0.0.1:${refusedPort}/v1,openai=http://127.0.0.1:${silentPort}/v1`,
        COSTCTL_STORE: 'file',
        COSTCTL_DAILY_LIMIT_USD: '1',
        COSTCTL_MAX_REQUESTS_PER_DAY: '100',
      },
      settled: (samples) => samples.filter((sample) => sample.name === 'costctl_requests_total').reduce((sum, sample) => sum + sample.value, 0) === 4,
    });
    // The app saw what it would without costctl.
    expect(run.lines).toEqual([{ fetchRefused: 'ECONNREFUSED', httpRefused: 'ECONNREFUSED', fetchAborted: 'AbortError', httpDestroyed: 'ECONNRESET' }]);
    // Each call is still counted, as a failed, unbilled call.
    const requests = run.samples.filter((sample) => sample.name === 'costctl_requests_total');
    expect(requests.reduce((sum, sample) => sum + sample.value, 0)).toBe(4);
    expect(requests.every((sample) => sample.labels.costctl_outcome === 'error')).toBe(true);

    const status = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), 'status', '--json'], {
      cwd: run.stateDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: run.stateDir, COSTCTL_DAILY_LIMIT_USD: '1', COSTCTL_MAX_REQUESTS_PER_DAY: '100' },
    });
    expect(status.status, status.stderr).toBe(0);
    const rules = (JSON.parse(status.stdout) as { rules: { name: string; spent: number; reserved: number }[] }).rules;
    expect(rules.map(({ name, spent, reserved }) => ({ name, spent, reserved }))).toEqual([
      { name: 'daily_usd', spent: 0, reserved: 0 },
      { name: 'requests_per_day', spent: 0, reserved: 0 },
    ]);
  });
});

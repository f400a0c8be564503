import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeProvider } from '@costctl/testkit';
import { describe, expect, it } from 'vitest';
import { repoRoot, runApp } from './helpers/run-app.js';

const readme = () => readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('README.md', () => {
  it('opens with the two commands a newcomer runs, exactly as package.json runs them', () => {
    const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const first = /```sh\n([\s\S]*?)```/.exec(readme())![1]!.split('\n');
    expect(first[0]).toMatch(/^npm ci && npm run demo\s+#/);
    expect(first[1]).toMatch(/^npm ci && npm test\s+#/);
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
    expect(scripts['test:unit']).toBeDefined();
  });

  it('stays short: the reference lives in docs/', () => {
    expect(readme().split('\n').length).toBeLessThanOrEqual(300);
  });

  it('has the sections a newcomer looks for, the quick start within the first screen', () => {
    const lines = readme().split('\n');
    for (const heading of ['## Install', '## Quick start', '## Troubleshooting', '## Contributing']) expect(lines).toContain(heading);
    expect(lines.indexOf('## Quick start')).toBeLessThan(60);
    expect(readme()).toContain('node --import @costctl/otel/register app.js');
  });

  it("shows the blocked call the quick start's loop really gets", async () => {
    const provider = await startFakeProvider();
    try {
      const run = await runApp('test/apps/blocked-sdk.mjs', {
        env: {
          FAKE_PROVIDER_URL: provider.url,
          COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
          SDK: 'openai',
          CALLS: '4',
          COSTCTL_DAILY_LIMIT_USD: '0.00005',
        },
      });
      const calls = run.lines.filter((line) => line.ok !== undefined);
      expect(calls.map((line) => line.ok)).toEqual([true, true, true, false]);
      const blocked = calls[3] as { class: string; status: number; blocked: string; message: string };
      // The window's reset date is the day the test runs.
      const undated = (text: string) => text.replace(/\d{4}-\d{2}-\d{2} 00:00 UTC/g, '<date> 00:00 UTC');
      expect(readme()).toContain(`\n${blocked.class} ${blocked.status} ${blocked.blocked}\n`);
      expect(undated(readme())).toContain(`\n${undated(blocked.message)}\n`);
    } finally {
      await provider.close();
    }
  });
});

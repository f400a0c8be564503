import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-app.js';

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
});

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl, costctlBin, workdir } from './helpers/costctl.js';
import { listenLocally, type LocalServer } from './helpers/local-server.js';

const DAY = 86_400;
const FAILED = 'costctl: the price data was NOT updated: ';

/** USD per million tokens the new data gives: far from any real price, so a call priced with it cannot be mistaken. */
const NEW = { 'gpt-4o-mini': { input: 1000, output: 2000 }, 'gpt-4o': { input: 3000, output: 5000 }, 'acme-llm-7b': { input: 700, output: 900 } } as const;

/** The bundled data as genai-prices publishes it (data.json), repriced as NEW says, with acme-llm-7b added under openai. */
async function newerData(): Promise<string> {
  const providers = JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
  const openai = providers.find((provider) => provider.id === 'openai')!;
  for (const id of ['gpt-4o-mini', 'gpt-4o'] as const)
    openai.models.find((model) => model.id === id)!.prices = { input_mtok: NEW[id].input, output_mtok: NEW[id].output };
  openai.models.push({
    id: 'acme-llm-7b',
    match: { equals: 'acme-llm-7b' },
    prices: { input_mtok: NEW['acme-llm-7b'].input, output_mtok: NEW['acme-llm-7b'].output },
  });
  return JSON.stringify(providers);
}

let data: string;
let dataFile: string;
let server: LocalServer;
const LAST_MODIFIED = 'Tue, 01 Dec 2026 08:00:00 GMT';

beforeAll(async () => {
  data = await newerData();
  dataFile = join(mkdtempSync(join(tmpdir(), 'costctl-data-')), 'data.json');
  writeFileSync(dataFile, data);
  server = await listenLocally(async (req, res) => {
    if (req.url === '/data.json') res.writeHead(200, { 'content-type': 'application/json', 'last-modified': LAST_MODIFIED }).end(data);
    else if (req.url === '/not-json') res.writeHead(200).end('<html>rate limited</html>');
    else res.writeHead(404).end();
  });
});

afterAll(async () => {
  await server.close();
});

/** `costctl …` without blocking this process, whose local server must answer it. */
function costctlAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [costctlBin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl') } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const status = (cwd: string) => JSON.parse(costctl(['prices', 'status', '--json'], { cwd }).stdout) as Record<string, unknown>;
const statePath = (cwd: string) => join(cwd, '.costctl', 'prices.json');

describe('costctl prices update', () => {
  it("takes a file in genai-prices' format into the state directory, with its version, source and fetch time", () => {
    const cwd = workdir();
    const run = costctl(['prices', 'update', '--from', dataFile], { cwd });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      new RegExp(
        `^price data updated: ${statePath(cwd)}\n  now:  sha256:[0-9a-f]{16}, as of \\d{4}-\\d\\d-\\d\\d, \\d+ providers, [\\d,]+ models\n  was:  bundled @pydantic/genai-prices `,
      ),
    );
    const version = `sha256:${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
    expect(status(cwd)).toMatchObject({ source: 'state_dir', version, origin: dataFile, path: statePath(cwd), stale: false, fetchedAt: expect.any(String) });
    const again = JSON.parse(costctl(['prices', 'update', '--from', dataFile, '--json'], { cwd }).stdout) as Record<string, Record<string, unknown>>;
    expect(again).toMatchObject({ path: statePath(cwd), data: { source: 'state_dir', version, origin: dataFile }, previous: { source: 'state_dir', version } });
  });

  it('takes it from a URL, dated by its Last-Modified', async () => {
    const cwd = workdir();
    const run = await costctlAsync(['prices', 'update', '--from', `${server.url}/data.json`], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(status(cwd)).toMatchObject({ source: 'state_dir', origin: `${server.url}/data.json`, asOf: new Date(LAST_MODIFIED).toISOString() });
  });

  // One state directory holding valid data, which none of the failures below may change.
  let updated: string;
  beforeAll(() => {
    updated = workdir();
    expect(costctl(['prices', 'update', '--from', dataFile], { cwd: updated }).code).toBe(0);
  });

  it.each([
    ['a file that is not JSON', () => writeTemp('data.json', '{"providers": ['), (from: string) => `${from} is not JSON: `],
    [
      'a list without a provider costctl prices',
      () => writeTemp('data.json', JSON.stringify((JSON.parse(data) as Provider[]).filter((p) => p.id !== 'anthropic'))),
      (from: string) => `${from} is not usable price data: it lacks providers costctl prices calls of: anthropic`,
    ],
    ['an answer that is not JSON', () => `${server.url}/not-json`, (from: string) => `${from} is not JSON: `],
    ['a URL that answers 404', () => `${server.url}/gone.json`, (from: string) => `could not fetch ${from}: HTTP 404 Not Found`],
    ['a file that does not exist', () => '/nonexistent/data.json', () => 'could not read /nonexistent/data.json: ENOENT'],
  ])('changes nothing for %s: exit 1 and one line that says why', async (_case, source, says) => {
    const cwd = updated;
    const before = readFileSync(statePath(cwd), 'utf8');
    const from = source();
    const run = await costctlAsync(['prices', 'update', '--from', from], cwd);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    expect(run.stderr.startsWith(FAILED + says(from)), run.stderr).toBe(true);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(readFileSync(statePath(cwd), 'utf8')).toBe(before);
  });

  it('writes nothing at all when the first update does not validate', () => {
    const cwd = workdir();
    const run = costctl(['prices', 'update', '--from', writeTemp('data.json', '[]')], { cwd });
    expect(run.code).toBe(1);
    expect(existsSync(statePath(cwd))).toBe(false);
    expect(status(cwd).source).toBe('bundled');
  });

  it('refuses an empty --from as bad usage (exit 2)', () => {
    const run = costctl(['prices', 'update', '--from', ''], { cwd: workdir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--from needs a file or an http\(s\) URL/);
  });
});

describe('costctl prices status', () => {
  it('shows the bundled data, its version, age and path, until an update', () => {
    const cwd = workdir();
    const json = status(cwd);
    expect(json).toMatchObject({ source: 'bundled', origin: '@pydantic/genai-prices', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), maxAgeDays: 30 });
    expect(json.stale).toBe((json.ageSeconds as number) >= 30 * DAY);
    expect(String(json.path)).toMatch(/node_modules\/@pydantic\/genai-prices$/);
    const text = costctl(['prices', 'status'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `price data in use: bundled with costctl\n  version:    @pydantic/genai-prices ${String(json.version)}\n  as of:      ${String(json.asOf).slice(0, 10)} (${Math.floor((json.ageSeconds as number) / DAY)} days old)\n`,
    );
  });

  it('says the data is stale, and why a broken state file is not used', () => {
    const cwd = workdir();
    const old = writeTemp('data.json', data);
    const forty = Date.now() / 1000 - 40 * DAY;
    utimesSync(old, forty, forty);
    expect(costctl(['prices', 'update', '--from', old], { cwd }).code).toBe(0);
    const text = costctl(['prices', 'status'], { cwd }).stdout;
    expect(text).toContain('(40 days old)');
    expect(text).toContain('stale: older than 30 days (priceDataMaxAgeDays); run costctl prices update\n');
    writeFileSync(statePath(cwd), 'half a fi');
    expect(costctl(['prices', 'status', '--json'], { cwd }).stdout).toMatch(/"source":"bundled".*"ignored":".*prices\.json is not JSON: /);
  });

  it('prices `costctl price` with the data in use', () => {
    const cwd = workdir();
    expect(costctl(['prices', 'update', '--from', dataFile], { cwd }).code).toBe(0);
    const quote = JSON.parse(costctl(['price', 'gpt-4o-mini', '--input', '1000', '--output', '1000', '--json'], { cwd }).stdout) as {
      quote: { usd: number; source: string };
    };
    expect(quote.quote.usd).toBeCloseTo((1000 * NEW['gpt-4o-mini'].input + 1000 * NEW['gpt-4o-mini'].output) / 1e6, 9);
    expect(quote.quote.source).toMatch(new RegExp(`^${statePath(cwd)} sha256:`));
  });
});

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'costctl-data-')), name);
  writeFileSync(path, text);
  return path;
}

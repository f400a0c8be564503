import { mkdtempSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logger, setLogger, type Logger } from '../model/logger.js';
import { preparePriceData, priceDataPath, readStoredPriceData, writePriceData } from './price-data-file.js';
import { PriceDataWatcher, staleWarning } from './price-data-watch.js';
import { activePriceData, bundledPriceDataInfo, REQUIRED_PROVIDERS, useBundledPriceData, type PriceData } from './price-data.js';
import { PriceTable } from './price-table.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'costctl-prices-'));
const million = { input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

/** The bundled data as genai-prices publishes it, with gpt-4o-mini's input at `input` USD per million. */
async function dataText(input: number): Promise<string> {
  const providers = JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
  const mini = providers.find((provider) => provider.id === 'openai')!.models.find((model) => model.id === 'gpt-4o-mini')!;
  mini.prices = { input_mtok: input, output_mtok: 1 };
  return JSON.stringify(providers);
}

async function prepared(input: number, now = Date.now()): Promise<PriceData> {
  const result = preparePriceData({ text: await dataText(input), origin: '/data/genai.json', modified: undefined }, now, REQUIRED_PROVIDERS);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

/** Warnings logged while `run` runs. */
async function warnings(run: () => Promise<void> | void): Promise<string[]> {
  const seen: string[] = [];
  const previous = logger;
  const capture: Logger = { debug() {}, info() {}, warn: (message) => void seen.push(message), error: (message) => void seen.push(message) };
  setLogger(capture);
  try {
    await run();
  } finally {
    setLogger(previous);
  }
  return seen;
}

beforeAll(() => {
  setLogger({ debug() {}, info() {}, warn() {}, error() {} });
});

afterEach(() => {
  useBundledPriceData();
});

describe('preparePriceData', () => {
  it("versions data by the hash of its bytes and dates it by its source's modification time, never in the future", async () => {
    const text = await dataText(3);
    const now = Date.parse('2026-12-07T12:00:00Z');
    const dated = preparePriceData({ text, origin: 'https://example.com/data.json', modified: '2026-12-01T08:00:00.000Z' }, now, REQUIRED_PROVIDERS);
    const future = preparePriceData({ text, origin: 'https://example.com/data.json', modified: '2027-01-01T00:00:00.000Z' }, now, REQUIRED_PROVIDERS);
    expect(dated.ok && dated.value.info).toMatchObject({
      source: 'state_dir',
      version: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      asOf: '2026-12-01T08:00:00.000Z',
      fetchedAt: '2026-12-07T12:00:00.000Z',
    });
    expect(future.ok && future.value.info.asOf).toBe('2026-12-07T12:00:00.000Z');
    const other = preparePriceData({ text: await dataText(4), origin: 'x', modified: undefined }, now, REQUIRED_PROVIDERS);
    expect(other.ok && dated.ok && other.value.info.version !== dated.value.info.version).toBe(true);
  });

  it('says in one line that a file is not JSON', () => {
    expect(preparePriceData({ text: '[{"id": ', origin: '/tmp/data.json', modified: undefined }, Date.now(), REQUIRED_PROVIDERS)).toEqual({
      ok: false,
      problem: expect.stringMatching(/^\/tmp\/data\.json is not JSON: [^\n]+$/),
    });
  });
});

describe('writePriceData', () => {
  it('swaps the file atomically: a reader sees the old data or the new, never a part', async () => {
    const dir = tempDir();
    const versions = [await prepared(10), await prepared(20)];
    await writePriceData(dir, versions[0]!);
    const path = priceDataPath(dir);
    let writing = true;
    const writes = (async () => {
      for (let i = 1; i <= 20; i++) await writePriceData(dir, versions[i % 2]!);
      writing = false;
    })();
    const seen = new Set<string>();
    let reads = 0;
    // The writes run on libuv's threads while this loop reads the file between them.
    while (writing) {
      const read = readStoredPriceData(readFileSync(path, 'utf8'), path, REQUIRED_PROVIDERS);
      expect(read.ok ? '' : read.problem).toBe('');
      if (read.ok) seen.add(read.value.info.version);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writes;
    expect(reads).toBeGreaterThan(20);
    expect([...seen].every((version) => versions.some((data) => data.info.version === version))).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(versions[0]!.info.version);
    // Nothing is left behind: no temporary file beside it.
    expect(readdirSync(dir)).toEqual(['prices.json']);
  });

  it("refuses a file that is not costctl's, naming what writes one", () => {
    const dir = tempDir();
    expect(readStoredPriceData('[]', join(dir, 'prices.json'), REQUIRED_PROVIDERS)).toEqual({
      ok: false,
      problem: `${join(dir, 'prices.json')} is not a costctl price data file (write it with costctl prices update)`,
    });
  });
});

describe('PriceDataWatcher', () => {
  it('loads the state directory data at start, takes a newer file, ignores a broken one with one warning, and goes back to the bundled data when it is removed', async () => {
    const dir = tempDir();
    const table = new PriceTable();
    await writePriceData(dir, await prepared(10));
    const watcher = new PriceDataWatcher(dir, REQUIRED_PROVIDERS);
    watcher.load();
    expect(activePriceData()).toMatchObject({ source: 'state_dir', path: priceDataPath(dir) });
    expect(table.price('openai', 'openai', 'gpt-4o-mini', million)?.usd).toBe(10);

    await writePriceData(dir, await prepared(20));
    await watcher.check();
    expect(table.price('openai', 'openai', 'gpt-4o-mini', million)?.usd).toBe(20);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format":"costctl.price-data/1","providers":[]}');
    renameSync(broken, priceDataPath(dir));
    const logged = await warnings(async () => {
      await watcher.check();
      await watcher.check();
    });
    expect(logged).toEqual([
      expect.stringMatching(
        /^costctl ignores the price data in .*prices\.json and keeps the previous data \(sha256:[0-9a-f]{16}\): .*the list of providers is empty\. Replace it with costctl prices update$/,
      ),
    ]);
    expect(table.price('openai', 'openai', 'gpt-4o-mini', million)?.usd).toBe(20);

    unlinkSync(priceDataPath(dir));
    await warnings(() => watcher.check());
    expect(activePriceData().source).toBe('bundled');
    expect(table.price('openai', 'openai', 'gpt-4o-mini', million)?.usd).toBeCloseTo(0.15, 9);
    await watcher.stop();
  });

  it('brings back the bundled data when started again on a state directory without a file', async () => {
    const dir = tempDir();
    await writePriceData(dir, await prepared(10));
    new PriceDataWatcher(dir, REQUIRED_PROVIDERS).load();
    expect(activePriceData().source).toBe('state_dir');
    new PriceDataWatcher(tempDir(), REQUIRED_PROVIDERS).load();
    expect(activePriceData().source).toBe('bundled');
    expect(new PriceTable().price('openai', 'openai', 'gpt-4o-mini', million)?.usd).toBeCloseTo(0.15, 9);
  });

  it('keeps the bundled data when the file at start-up is broken, and says so once', async () => {
    const dir = tempDir();
    writeFileSync(priceDataPath(dir), 'not json');
    const watcher = new PriceDataWatcher(dir, REQUIRED_PROVIDERS);
    const logged = await warnings(async () => {
      watcher.load();
      await watcher.check();
    });
    expect(logged).toEqual([expect.stringMatching(/^costctl ignores the price data in .* and keeps the bundled data \(\d+\.\d+\.\d+\): .* is not JSON: /)]);
    expect(activePriceData().source).toBe('bundled');
  });
});

describe('staleWarning', () => {
  const bundled = bundledPriceDataInfo();
  const at = (days: number) => Date.parse(bundled.asOf) + days * 86_400_000;

  it('warns in one line from the day the data is as old as the limit, naming the data and the command that renews it', () => {
    expect(staleWarning(bundled, at(29.9), 30)).toBeUndefined();
    const warning = staleWarning(bundled, at(30), 30);
    expect(warning).toBe(
      `costctl prices calls with price data 30 days old (bundled @pydantic/genai-prices ${bundled.version}, as of ${bundled.asOf.slice(0, 10)}): ` +
        'models released or repriced since are priced wrong or not at all. Run costctl prices update (priceDataMaxAgeDays: 30 sets when this warns)',
    );
  });

  it('never warns with a limit of 0', () => {
    expect(staleWarning(bundled, at(3650), 0)).toBeUndefined();
  });
});

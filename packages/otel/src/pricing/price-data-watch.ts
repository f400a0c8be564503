import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { logger } from '../model/logger.js';
import { priceDataPath, readStoredPriceData } from './price-data-file.js';
import { activePriceData, priceDataAgeSeconds, useBundledPriceData, usePriceData, type PriceDataInfo } from './price-data.js';

const DAY_SECONDS = 86_400;

/**
 * Keeps this process on the state directory's price data: loads it at
 * start-up, then checks the file's identity (mtime, size, inode) on an
 * interval, off every call's path, and swaps in a changed file once it
 * validates. A file that does not validate is ignored with one warning (per
 * version of the file) and the data in use is kept; a removed file brings
 * back the bundled data.
 *
 * @example
 * const watcher = new PriceDataWatcher('.costctl', REQUIRED_PROVIDERS);
 * watcher.load();
 * watcher.start(2_000);
 */
export class PriceDataWatcher {
  readonly #path: string;
  readonly #required: readonly string[];
  #seen: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(stateDir: string, required: readonly string[]) {
    this.#path = priceDataPath(stateDir);
    this.#required = required;
  }

  /** Loads the state directory's file, if any, before the first call (synchronously, once). */
  load(): void {
    let info: Stats;
    let text: string;
    try {
      info = statSync(this.#path);
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#ignore(`could not read it: ${(error as Error).message}`);
      // A costctl started again in this process, on a state directory without a file, prices as a new process would.
      else useBundledPriceData();
      return;
    }
    this.#seen = identity(info);
    this.#use(text, false);
  }

  /** Checks the file every `intervalMillis`; the timer never keeps the process alive. */
  start(intervalMillis: number): void {
    this.#timer = setInterval(() => void this.check(), intervalMillis);
    this.#timer.unref();
  }

  /** Checks the file once now (a check in progress is joined, not repeated). */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
  }

  async #check(): Promise<void> {
    try {
      let info: Stats;
      try {
        info = await stat(this.#path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.#seen = undefined;
        if (activePriceData().source === 'state_dir') {
          useBundledPriceData();
          logger.warn(`costctl prices calls with the bundled price data again: ${this.#path} was removed`, { version: activePriceData().version });
        }
        return;
      }
      const seen = identity(info);
      if (seen === this.#seen) return;
      this.#seen = seen;
      this.#use(await readFile(this.#path, 'utf8'), true);
    } catch (error) {
      this.#ignore(`could not read it: ${(error as Error).message}`);
    }
  }

  #use(text: string, announce: boolean): void {
    const read = readStoredPriceData(text, this.#path, this.#required);
    if (!read.ok) return this.#ignore(read.problem);
    usePriceData(read.value);
    if (announce)
      logger.info(`costctl prices calls with the price data in ${this.#path} from now on`, { version: read.value.info.version, asOf: read.value.info.asOf });
  }

  #ignore(problem: string): void {
    const kept = activePriceData();
    logger.warn(
      `costctl ignores the price data in ${this.#path} and keeps the ${kept.source === 'bundled' ? 'bundled' : 'previous'} data (${kept.version}): ${problem}. Replace it with costctl prices update`,
      {
        path: this.#path,
      },
    );
  }
}

/**
 * The one-line warning of start-up when the data in use is older than
 * `maxAgeDays` (0: never), else undefined.
 *
 * @example
 * staleWarning(activePriceData(), Date.now(), 30)
 * // 'costctl prices calls with price data 75 days old (bundled @pydantic/genai-prices 0.1.8, as of 2026-09-23): …'
 */
export function staleWarning(info: PriceDataInfo, now: number, maxAgeDays: number): string | undefined {
  const days = Math.floor(priceDataAgeSeconds(info, now) / DAY_SECONDS);
  if (maxAgeDays <= 0 || days < maxAgeDays) return undefined;
  const what = info.source === 'bundled' ? `bundled ${info.origin} ${info.version}` : `${info.path ?? 'the state directory'}, ${info.version}`;
  return (
    `costctl prices calls with price data ${days} days old (${what}, as of ${info.asOf.slice(0, 10)}): ` +
    `models released or repriced since are priced wrong or not at all. Run costctl prices update (priceDataMaxAgeDays: ${maxAgeDays} sets when this warns)`
  );
}

/** A file's identity: a rename over it changes the inode, a rewrite its mtime or size. */
function identity(info: Stats): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

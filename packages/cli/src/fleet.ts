import { calendarWindow, openState, type CostctlConfig, type CostctlState, type LoadOptions, type Logger } from '@costctl/otel';
import { withoutCredentials, type AggregateRead } from '@costctl/otel/store';
import { UsageError } from './command.js';

/**
 * Where `report`, `forecast` and `reconcile` read spend: `fleet`, the
 * store's window aggregates (what every process sharing the store spent,
 * by day, provider, model and allow-listed label), or `ledger`, this host's
 * ledger (every call in detail, but only this host's).
 */
export type SpendSource = 'fleet' | 'ledger';

/**
 * The source asked for, else the fleet when hosts share the store (Redis)
 * and the ledger when they cannot (file, memory: one host holds every call).
 *
 * @example
 * spendSource(undefined, config) // 'fleet' with COSTCTL_STORE=redis
 */
export function spendSource(option: string | undefined, config: CostctlConfig): SpendSource {
  if (option === undefined) return config.store === 'redis' ? 'fleet' : 'ledger';
  if (option === 'ledger') return option;
  if (option === 'fleet') {
    // Each process has a memory store of its own: this command's would read as no spend at all.
    if (config.store === 'memory')
      throw new UsageError(
        "--source fleet: with COSTCTL_STORE=memory each process keeps its spend to itself, so there is no fleet's spend to read; drop --source fleet for this host's ledger",
      );
    return option;
  }
  throw new UsageError(`--source ${option}: expected fleet (every host's spend, from the store's aggregates) or ledger (this host's calls, in detail)`);
}

/**
 * What the output says about where its numbers come from.
 *
 * @example
 * sourceLine('fleet', config) // 'fleet: from the Redis store at redis://10.0.0.5:6379 (every host sharing it)'
 */
export function sourceLine(source: SpendSource, config: CostctlConfig): string {
  if (source === 'ledger') {
    const others = config.store === 'redis' ? '; other hosts sharing the Redis store are not in it (drop --source ledger for the fleet)' : '';
    return `this host: from the ledger in ${config.stateDir}${others}`;
  }
  if (config.store === 'redis')
    return `fleet: from the Redis store at ${config.redis.url === undefined ? 'the configured URL' : withoutCredentials(config.redis.url)} (every host sharing it)`;
  return `fleet: from the ${config.store} store${config.store === 'file' ? ` in ${config.stateDir}` : ''} (every process of this host)`;
}

/** One calendar hour or day of the configured zone, as the aggregates key it. */
export interface FleetWindow {
  /** `2026-12-07` for a day, `2026-12-07T19` for an hour. */
  date: string;
  /** The aggregate window prefix: `day:2026-12-07|`. */
  prefix: string;
  start: number;
  end: number;
}

/** One calendar day of the configured zone, as the aggregates key it. */
export type FleetDay = FleetWindow;

/**
 * The zone's hours or days from the one holding `since` to the one holding
 * the last instant before `until`.
 *
 * @example
 * fleetWindows('hour', Date.UTC(2026, 11, 1, 9, 30), Date.UTC(2026, 11, 1, 11), 'UTC').map((hour) => hour.date) // ['2026-12-01T09', '2026-12-01T10']
 */
export function fleetWindows(unit: 'hour' | 'day', since: number, until: number, timeZone: string): FleetWindow[] {
  const windows: FleetWindow[] = [];
  for (let at = since; at < until; ) {
    const window = calendarWindow(unit, at, timeZone);
    const name = window.key.slice(unit.length + 1);
    windows.push({ date: unit === 'day' ? name.slice(0, 10) : name, prefix: `${window.key}|`, start: window.start, end: window.end });
    at = window.end;
  }
  return windows;
}

/**
 * The zone's days from the one holding `since` to the one holding the
 * last instant before `until`.
 *
 * @example
 * fleetDays(Date.UTC(2026, 11, 1, 9), Date.UTC(2026, 11, 3), 'UTC').map((day) => day.date) // ['2026-12-01', '2026-12-02']
 */
export function fleetDays(since: number, until: number, timeZone: string): FleetDay[] {
  return fleetWindows('day', since, until, timeZone);
}

/**
 * Refuses a period that reaches before the oldest day the store still
 * keeps: its spend is gone from the aggregates, and reading it as zero would
 * be a wrong answer.
 */
export function checkKept(days: readonly FleetDay[], state: Pick<CostctlState, 'aggregatesKept' | 'config'>, now: number, what: string): void {
  const first = days[0];
  if (first === undefined || first.end + state.aggregatesKept.day > now) return;
  const oldest = fleetDays(now - state.aggregatesKept.day, now - state.aggregatesKept.day + 1, state.config.timezone)[0]!;
  throw new UsageError(
    `${what} starts on ${first.date}: the store keeps each day's aggregates for ${Math.round(state.aggregatesKept.day / 86_400_000) - 1} days after it ends, ` +
      `so the fleet's spend is known from ${nextDate(oldest, state.config.timezone)} on; start there, or add --source ledger for this host's older calls`,
  );
}

function nextDate(day: FleetDay, timeZone: string): string {
  return fleetDays(day.end, day.end + 1, timeZone)[0]!.date;
}

/** Sums read from the aggregates, by key without its window prefix. */
export type DimensionSums = Map<string, AggregateRead>;

/**
 * Reads each window's aggregates once, by dimension (`*`, `model=gpt-4o`,
 * `adjusted:provider=openai`), in the order `prefixes` are given.
 *
 * @example
 * const [today] = await readWindows(state, ['day:2026-12-07|']);
 * today.get('*')?.usd
 */
export async function readWindows(state: Pick<CostctlState, 'readAggregates'>, prefixes: readonly string[], now: number): Promise<DimensionSums[]> {
  // One read of every day at once: on Redis, a key walk per prefix would walk the whole keyspace again each time.
  const reads = await state.readAggregates(
    prefixes.some((prefix) => prefix.startsWith('day:')) ? ['day:', ...prefixes.filter((p) => !p.startsWith('day:'))] : prefixes,
    now,
  );
  const windows = new Map(prefixes.map((prefix) => [prefix, new Map<string, AggregateRead>()]));
  for (const read of reads) {
    const bar = read.key.indexOf('|');
    windows.get(read.key.slice(0, bar + 1))?.set(read.key.slice(bar + 1), read);
  }
  return prefixes.map((prefix) => windows.get(prefix)!);
}

/** Opens the store for reading the fleet's aggregates, with the command's logger. */
export function openFleet(options: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  logger?: Logger | undefined;
  onWarning?: LoadOptions['onWarning'];
}): Promise<CostctlState> {
  return openState({ cwd: options.cwd, env: options.env, onWarning: options.onWarning, ...(options.logger ? { logger: options.logger } : {}) });
}

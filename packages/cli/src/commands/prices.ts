import { loadConfig, priceDataStatus, updatePriceData, type PriceDataInfo, type PriceDataStatus } from '@costctl/otel';
import { UsageError, type Command } from '../command.js';
import { count } from '../format.js';

const DAY_SECONDS = 86_400;

export interface PricesUpdateOptions {
  /** An http(s) URL or a file in genai-prices' format; genai-prices' published data when not given. */
  from?: string;
  json?: boolean;
}

/**
 * `costctl prices update [--from <file|url>]`: fetches newer price data,
 * validates it and swaps it atomically into the state directory, where
 * running processes pick it up without a restart. Data that does not
 * validate changes nothing: one line on stderr says why, exit 1.
 */
export const pricesUpdate: Command<PricesUpdateOptions> = async (values, { cwd, env, out, onWarning }) => {
  if (values.from !== undefined && values.from.trim() === '') throw new UsageError('--from needs a file or an http(s) URL, e.g. --from ./data.json');
  const config = loadConfig({ cwd, env, onWarning });
  const update = await updatePriceData(config, { ...(values.from === undefined ? {} : { from: values.from }), cwd });
  if (!update.ok) {
    process.stderr.write(`costctl: the price data was NOT updated: ${update.problem}\n`);
    return 1;
  }
  if (values.json) {
    out(`${JSON.stringify({ path: update.path, data: update.data, previous: update.previous })}\n`);
    return 0;
  }
  const seconds = Math.round(config.evaluationIntervalMillis / 1000);
  out(
    `price data updated: ${update.path}\n` +
      `  now:  ${describe(update.data)}\n` +
      `  was:  ${describe(update.previous)}\n` +
      `Processes sharing this state directory price calls with it within ${seconds} s, without a restart.\n`,
  );
  return 0;
};

/** `costctl prices status [--json]`: the price data in use, its version, age and path. */
export const pricesStatus: Command<{ json?: boolean }> = async (values, { cwd, env, out, onWarning }) => {
  const config = loadConfig({ cwd, env, onWarning });
  const status = await priceDataStatus(config);
  out(values.json ? `${JSON.stringify(status)}\n` : statusLines(status));
  return 0;
};

function describe(data: PriceDataInfo): string {
  return `${data.source === 'bundled' ? `bundled ${data.origin} ${data.version}` : data.version}, as of ${data.asOf.slice(0, 10)}, ${count(data.providers)} providers, ${count(data.models)} models`;
}

function statusLines(status: PriceDataStatus): string {
  const days = Math.floor(status.ageSeconds / DAY_SECONDS);
  const lines = [
    `price data in use: ${status.source === 'bundled' ? 'bundled with costctl' : 'the state directory (costctl prices update)'}`,
    `  version:    ${status.source === 'bundled' ? `${status.origin} ${status.version}` : status.version}`,
    `  as of:      ${status.asOf.slice(0, 10)} (${days} ${days === 1 ? 'day' : 'days'} old)`,
    ...(status.source === 'state_dir' ? [`  from:       ${status.origin}`, `  fetched:    ${status.fetchedAt}`] : []),
    `  path:       ${status.path}`,
    `  providers:  ${count(status.providers)}, models: ${count(status.models)}`,
  ];
  if (status.ignored !== undefined) lines.push(`ignored: ${status.ignored}`);
  if (status.stale) lines.push(`stale: older than ${status.maxAgeDays} days (priceDataMaxAgeDays); run costctl prices update`);
  return `${lines.join('\n')}\n`;
}

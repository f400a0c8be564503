import { loadConfig, priceModel } from '@costctl/otel';
import { parse, UsageError, type Command } from '../command.js';
import { usd } from '../format.js';

/** `costctl price <model>`: what a call costs, and which price data says so. */
export const price: Command = async (args, { cwd, env, out }) => {
  const { values, positionals } = parse(
    args,
    {
      provider: { type: 'string' },
      input: { type: 'string', default: '1000' },
      output: { type: 'string', default: '1000' },
      'cache-read': { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
    1,
  );
  const model = positionals[0];
  if (model === undefined) throw new UsageError('price needs a model, e.g. costctl price gpt-4o-mini');
  const tokens = (name: 'input' | 'output' | 'cache-read') => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number of tokens, got "${values[name]}"`);
    return value;
  };
  const config = loadConfig({ cwd, env });
  const provider = values.provider ?? (/^claude/.test(model) ? 'anthropic' : 'openai');
  const query = { provider, model, input: tokens('input'), output: tokens('output'), cacheRead: tokens('cache-read'), prices: config.prices };
  const quote = priceModel(query);
  if (values.json) {
    out(`${JSON.stringify({ ...query, prices: undefined, quote: quote ?? null })}\n`);
  } else if (quote === undefined) {
    out(`${provider} ${model}: no price known. Add it under "prices" in the config file, in USD per million tokens.\n`);
  } else {
    out(`${provider} ${model} (priced as ${quote.pricedModel}): ${query.input} input + ${query.output} output tokens = ${usd(quote.usd)}\nsource: ${quote.source}\n`);
  }
  return quote === undefined ? 1 : 0;
};

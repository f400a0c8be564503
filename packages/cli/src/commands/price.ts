import { loadConfig, priceModel } from '@costctl/otel';
import { UsageError, type Command } from '../command.js';
import { count, usd } from '../format.js';

export interface PriceOptions {
  /** The model's name, as the provider's API takes it. */
  model?: string;
  /** The provider; from the model's name when not given (claude… is anthropic, the rest openai). */
  provider?: string;
  /** Tokens of each kind; 1000 input and 1000 output, 0 read from the cache, when not given. */
  input?: string;
  output?: string;
  cacheRead?: string;
  json?: boolean;
}

/** `costctl price <model>`: what a call costs, and which price data says so. */
export const price: Command<PriceOptions> = async (values, { cwd, env, out, onWarning }) => {
  const { model } = values;
  if (model === undefined) throw new UsageError('price needs a model, e.g. costctl price gpt-4o-mini');
  const tokens = (name: 'input' | 'output' | 'cacheRead', option: string, fallback: number) => {
    const text = values[name];
    const value = Number(text ?? fallback);
    if (text?.trim() === '' || !Number.isInteger(value) || value < 0) throw new UsageError(`--${option} must be a whole number of tokens, got "${text}"`);
    return value;
  };
  const config = loadConfig({ cwd, env, onWarning });
  const provider = values.provider ?? (/^claude/.test(model) ? 'anthropic' : 'openai');
  const query = {
    provider,
    model,
    input: tokens('input', 'input', 1000),
    output: tokens('output', 'output', 1000),
    cacheRead: tokens('cacheRead', 'cache-read', 0),
    prices: config.prices,
  };
  const quote = priceModel({ ...query, stateDir: config.stateDir });
  if (values.json) {
    out(`${JSON.stringify({ ...query, prices: undefined, quote: quote ?? null })}\n`);
  } else if (quote === undefined) {
    out(`${provider} ${model}: no price known. Add it under "prices" in the config file, in USD per million tokens.\n`);
  } else {
    out(
      `${provider} ${model} (priced as ${quote.pricedModel}): ${count(query.input)} input + ${count(query.output)} output tokens = ${usd(quote.usd)}\nsource: ${quote.source}\n`,
    );
  }
  return quote === undefined ? 1 : 0;
};

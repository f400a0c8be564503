import { JsonBodyCollector } from '../json-body.js';
import { lastValueOf } from '../json-tail.js';
import { noResponseFacts } from '../response-facts.js';
import type { ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, stringAt } from '../wire-values.js';
import type { CohereBilled } from './usage.js';

/**
 * Reads an answer billed in `meta.billed_units` (embed, rerank; v1 and v2):
 * its id, and what `billed` makes of its meta. A body too large to parse
 * (many long vectors) is read from its tail, where `meta` comes last.
 *
 * @example
 * const reader = new CohereBilledReader(cohereEmbedUsage);
 * reader.push(body);
 * reader.finish().usage // { input: 2, output: 0, … }
 */
export class CohereBilledReader implements ResponseReader {
  readonly #body = new JsonBodyCollector();
  readonly #billed: (meta: unknown) => CohereBilled | undefined;

  constructor(billed: (meta: unknown) => CohereBilled | undefined) {
    this.#billed = billed;
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    const value = isRecord(body.value) ? body.value : undefined;
    if (value === undefined && !body.tooLarge) return noResponseFacts();
    const found = value !== undefined ? this.#billed(value['meta']) : this.#billed({ billed_units: lastValueOf(body.tail, 'billed_units') });
    const facts: ResponseFacts = {
      model: undefined,
      responseId: stringAt(value, 'id'),
      usage: found?.usage,
      usageComplete: found !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
    };
    if (found?.mediaTokens !== undefined) facts.mediaTokens = found.mediaTokens;
    if (found?.units !== undefined) facts.units = found.units;
    return facts;
  }
}

import { JsonBodyCollector } from '../json-body.js';
import { lastValueOf } from '../json-tail.js';
import { noResponseFacts } from '../response-facts.js';
import type { ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, stringAt } from '../wire-values.js';
import { cohereEmbedUsage } from './usage.js';

/**
 * Reads a v2 embed response: its id, and what was billed from
 * `meta.billed_units`. A body too large to parse (many long vectors) is read
 * from its tail, where `meta` comes last.
 *
 * @example
 * const reader = new CohereEmbedReader();
 * reader.push(body);
 * reader.finish().usage // { input: 2, output: 0, … }
 */
export class CohereEmbedReader implements ResponseReader {
  readonly #body = new JsonBodyCollector();

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    const value = isRecord(body.value) ? body.value : undefined;
    if (value === undefined && !body.tooLarge) return noResponseFacts();
    const found = value !== undefined ? cohereEmbedUsage(value['meta']) : cohereEmbedUsage({ billed_units: lastValueOf(body.tail, 'billed_units') });
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

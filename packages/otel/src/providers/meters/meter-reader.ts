import { JsonBodyCollector } from '../json-body.js';
import { lastValueOf } from '../json-tail.js';
import { tokenUsage } from '../token-usage.js';
import type { BilledUnits, ResponseFacts, ResponseReader } from '../types.js';
import { unitCount, valueAt } from './unit-count.js';

const NO_TOKENS = Object.freeze(tokenUsage({ input: 0, output: 0 }));

/**
 * The facts of a metered call: never tokens; its units when the answer said
 * them (undefined when it did not — priced as `unit_missing`).
 *
 * @example
 * meterFacts('audio_seconds', 31.2).units // { audio_seconds: 31.2 }
 */
export function meterFacts(unit: string | undefined, count: number | undefined): ResponseFacts {
  const facts: ResponseFacts = {
    model: undefined,
    responseId: undefined,
    usage: NO_TOKENS,
    usageComplete: true,
    providerCostUsd: undefined,
    outputTokenEstimate: 0,
  };
  if (unit !== undefined && count !== undefined) facts.units = { [unit]: count } satisfies BilledUnits;
  return facts;
}

/**
 * Reads a metered call whose count is known before the body (per request,
 * or from a header): the body is not kept.
 *
 * @example
 * new KnownCountReader('requests', undefined).finish().units // undefined
 */
export class KnownCountReader implements ResponseReader {
  readonly #facts: ResponseFacts;

  constructor(unit: string | undefined, count: number | undefined) {
    this.#facts = meterFacts(unit, count);
  }

  push(): void {}

  finish(): ResponseFacts {
    return this.#facts;
  }
}

/**
 * Reads the unit count from a dotted path of a JSON answer, collected with a
 * bound; a body too large to parse is searched from its tail for the path's
 * first key.
 *
 * @example
 * const reader = new JsonCountReader('characters', ['usage', 'characters']);
 */
export class JsonCountReader implements ResponseReader {
  readonly #body = new JsonBodyCollector();
  readonly #unit: string;
  readonly #path: readonly string[];

  constructor(unit: string, path: readonly string[]) {
    this.#unit = unit;
    this.#path = path;
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    const body = this.#body.finish();
    const [first = '', ...rest] = this.#path;
    const value = body.tooLarge ? valueAt(lastValueOf(body.tail, first), rest) : valueAt(body.value, this.#path);
    return meterFacts(this.#unit, unitCount(value));
  }
}

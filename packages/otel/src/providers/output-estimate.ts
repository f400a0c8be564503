import { CHARS_PER_TOKEN } from './text-size.js';

/**
 * Estimates output tokens from the deltas of a stream, for streams cut before
 * their usage arrived: the larger of the number of text-bearing deltas (OpenAI
 * streams about one token per delta; CJK text is about one token per
 * character) and the characters seen / 4 (providers that send longer deltas).
 *
 * @example
 * const estimate = new OutputEstimator();
 * estimate.addDelta(6); // " world"
 * estimate.tokens // 2
 */
export class OutputEstimator {
  #deltas = 0;
  #chars = 0;

  /** Counts one delta event carrying `chars` characters of generated text. */
  addDelta(chars: number): void {
    if (!(chars > 0)) return;
    this.#deltas += 1;
    this.#chars += chars;
  }

  /** The estimate so far, a non-negative integer. */
  get tokens(): number {
    return Math.max(this.#deltas, Math.ceil(this.#chars / CHARS_PER_TOKEN));
  }
}

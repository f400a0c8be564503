/**
 * The last `size` bytes of a byte stream, and its total length: a ring
 * buffer, so keeping them costs one copy per chunk and no allocation.
 *
 * @example
 * const tail = new TailBuffer(16 * 1024);
 * tail.push(chunk);
 * tail.wholeEvents(); // the kept bytes, from the first whole SSE event on
 */
export class TailBuffer {
  readonly #ring: Uint8Array;
  #at = 0;
  total = 0;

  constructor(size: number) {
    this.#ring = new Uint8Array(size);
  }

  /** True once the stream is longer than what is kept. */
  get truncated(): boolean {
    return this.total > this.#ring.byteLength;
  }

  push(chunk: Uint8Array): void {
    const size = this.#ring.byteLength;
    this.total += chunk.byteLength;
    if (chunk.byteLength >= size) {
      this.#ring.set(chunk.subarray(chunk.byteLength - size));
      this.#at = 0;
      return;
    }
    const first = Math.min(chunk.byteLength, size - this.#at);
    this.#ring.set(chunk.subarray(0, first), this.#at);
    if (first < chunk.byteLength) this.#ring.set(chunk.subarray(first), 0);
    this.#at = (this.#at + chunk.byteLength) % size;
  }

  /** The kept bytes in stream order. */
  bytes(): Uint8Array {
    if (!this.truncated) return this.#ring.slice(0, this.total);
    const out = new Uint8Array(this.#ring.byteLength);
    out.set(this.#ring.subarray(this.#at));
    out.set(this.#ring.subarray(0, this.#at), this.#ring.byteLength - this.#at);
    return out;
  }

  /**
   * The kept bytes from the first whole SSE event on: when the stream was
   * longer than the buffer, what precedes the first blank line is the end of
   * an event cut in two, and is dropped.
   */
  wholeEvents(): Uint8Array {
    const bytes = this.bytes();
    if (!this.truncated) return bytes;
    for (let i = 0; i + 1 < bytes.length; i++) {
      const a = bytes[i];
      const b = bytes[i + 1];
      if (a === 0x0a && b === 0x0a) return bytes.subarray(i + 2);
      if (a === 0x0d && b === 0x0d) return bytes.subarray(i + 2);
      if (a === 0x0a && b === 0x0d && bytes[i + 2] === 0x0a) return bytes.subarray(i + 3);
    }
    return new Uint8Array(0);
  }
}

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
  #ring: Uint8Array;
  #at = 0;
  total = 0;

  constructor(size: number) {
    this.#ring = spareRing(size) ?? new Uint8Array(size);
  }

  /**
   * Gives the buffer back for another stream's reader once its bytes have
   * been read: a new one per stream cost more than the reading (its memory
   * lies outside V8's heap, and allocating it makes V8 weigh a collection).
   * Nothing may be pushed or read after.
   */
  release(): void {
    const ring = this.#ring;
    if (ring.byteLength === 0) return;
    this.#ring = RELEASED;
    this.#at = 0;
    const spares = spareRings.get(ring.byteLength) ?? [];
    if (spares.length < MAX_SPARE_RINGS) spares.push(ring);
    spareRings.set(ring.byteLength, spares);
  }

  /** True once the stream is longer than what is kept. */
  get truncated(): boolean {
    return this.total > this.#ring.byteLength;
  }

  push(chunk: Uint8Array): void {
    const size = this.#ring.byteLength;
    if (size === 0) return;
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

const RELEASED = new Uint8Array(0);

/** Buffers kept per size for the next readers: about as many as streams read at once. */
const MAX_SPARE_RINGS = 16;
const spareRings = new Map<number, Uint8Array[]>();

/** A buffer of `size` bytes a finished reader gave back (old bytes in it are never read: only what is pushed is). */
function spareRing(size: number): Uint8Array | undefined {
  return spareRings.get(size)?.pop();
}

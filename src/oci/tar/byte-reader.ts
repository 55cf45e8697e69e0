/** @module Pull-style reader over an async iterable of Buffers: read exact byte counts or stream a bounded span. */
import { IngotError } from '../../errors/ingot-error.ts';

export class ByteReader {
  #source: AsyncIterator<Buffer | Uint8Array | string>;
  #pending: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    const chunk =
      typeof next.value === 'string'
        ? Buffer.from(next.value)
        : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    return true;
  }

  /** Exactly `n` bytes, or null at a clean end of input (throws on a truncated read). */
  async readExact(n: number): Promise<Buffer | null> {
    while (this.#pending.length < n) {
      if (!(await this.#fill())) {
        if (this.#pending.length === 0) return null;
        throw new IngotError(
          'malformed',
          `unexpected end of tar stream (wanted ${n} bytes, have ${this.#pending.length})`,
        );
      }
    }
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /** Yields the next `n` bytes in chunks as they arrive (without copying them together). */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#pending.length === 0 && !(await this.#fill()))
        throw new IngotError('malformed', `unexpected end of tar stream (${left} bytes missing)`);
      const take = Math.min(left, this.#pending.length);
      const chunk = this.#pending.subarray(0, take);
      this.#pending = this.#pending.subarray(take);
      left -= take;
      yield chunk;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _chunk of this.stream(n)) {
      /* discard */
    }
  }

  /** Reads and discards whatever input remains (so a producer process can exit). */
  async drain(): Promise<void> {
    this.#pending = Buffer.alloc(0);
    while (await this.#fill()) this.#pending = Buffer.alloc(0);
  }
}

/**
 * @module Multi-threaded gzip: the input cut into fixed-size chunks, each compressed on the libuv
 * threadpool as an independent gzip member, the members written in order. Concatenated members
 * are one valid gzip stream (RFC 1952 §2.2; Go, zlib, Python and gunzip read them), and the cut
 * points depend only on the bytes, so the same input always gives the same output.
 */
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

/** 1 MiB: large enough that a member's header and lost 32 KiB window cost < 0.1 %, small enough to spread. */
export const GZIP_CHUNK_BYTES = 1 << 20;

export interface ParallelGzipOptions {
  level?: number;
  chunkBytes?: number;
  /** Chunks compressed at once (default: the cores, plus one to keep them busy). */
  concurrency?: number;
}

export class ParallelGzip extends Transform {
  readonly #level: number;
  readonly #chunkBytes: number;
  readonly #concurrency: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #inflight: Promise<Buffer>[] = [];
  #members = 0;

  constructor(opts: ParallelGzipOptions = {}) {
    super({ highWaterMark: 1 << 20 });
    this.#level = opts.level ?? 6;
    this.#chunkBytes = opts.chunkBytes ?? GZIP_CHUNK_BYTES;
    this.#concurrency = opts.concurrency ?? availableParallelism() + 1;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#drainFull().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    // An empty input is still one (empty) gzip member, so the output is always a gzip stream.
    if (this.#pendingBytes > 0 || this.#members === 0) this.#start(Buffer.concat(this.#pending));
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#emitUntil(0).then(() => done(), done);
  }

  async #drainFull(): Promise<void> {
    if (this.#pendingBytes < this.#chunkBytes) return;
    let all = Buffer.concat(this.#pending);
    while (all.length >= this.#chunkBytes) {
      this.#start(all.subarray(0, this.#chunkBytes));
      all = all.subarray(this.#chunkBytes);
      await this.#emitUntil(this.#concurrency - 1);
    }
    this.#pending = all.length ? [Buffer.from(all)] : [];
    this.#pendingBytes = all.length;
  }

  #start(piece: Buffer): void {
    this.#members++;
    const member = gzip(piece, { level: this.#level });
    member.catch(() => {}); // awaited in order by #emitUntil, which sees the error
    this.#inflight.push(member);
  }

  /** Pushes finished members, oldest first, until at most `left` are still being compressed. */
  async #emitUntil(left: number): Promise<void> {
    while (this.#inflight.length > left) this.push(await this.#inflight.shift()!);
  }
}

/** @module Streaming tar writer: entries in, PAX/ustar bytes out (no owner names, integer mtimes: deterministic). */
import { BLOCK, encodeEntryHeader, padding } from './tar-header.ts';
import type { TarEntry } from './tar-reader.ts';

/** Serialises entries; a file body must yield exactly `header.size` bytes. */
export async function* writeTar(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const { header, body } of entries) {
    yield encodeEntryHeader(header);
    if (header.type !== 'file') continue;
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > header.size)
        throw new Error(`tar entry ${header.path} grew while being archived (more than ${header.size} bytes)`);
      yield chunk;
    }
    if (written !== header.size)
      throw new Error(`tar entry ${header.path} is ${written} bytes, header says ${header.size}`);
    const pad = padding(header.size);
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** An entry with no body (directories, links, devices, whiteouts). */
export function emptyBody(): AsyncIterable<Buffer> {
  return (async function* () {
    /* nothing */
  })();
}

/**
 * Re-slices a byte stream into chunks of exactly `size` bytes (the last may be shorter). Fewer round trips through
 * hashing and zlib, and, as important, chunk boundaries that do not depend on pipe timing: zstd's streaming output
 * depends on how its input is split, so fixed boundaries keep compressed layers reproducible.
 */
export async function* rechunk(chunks: AsyncIterable<Buffer>, size = 1 << 20): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    total += chunk.length;
    if (total < size) continue;
    const joined = Buffer.concat(pending, total);
    let offset = 0;
    for (; joined.length - offset >= size; offset += size) yield joined.subarray(offset, offset + size);
    pending = offset < joined.length ? [joined.subarray(offset)] : [];
    total = joined.length - offset;
  }
  if (total > 0) yield Buffer.concat(pending, total);
}

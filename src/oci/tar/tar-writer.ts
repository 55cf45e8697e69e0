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
      if (written > header.size) throw new Error(`tar entry ${header.path} grew while being archived (more than ${header.size} bytes)`);
      yield chunk;
    }
    if (written !== header.size) throw new Error(`tar entry ${header.path} is ${written} bytes, header says ${header.size}`);
    const pad = padding(header.size);
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** An entry with no body (directories, links, devices, whiteouts). */
export function emptyBody(): AsyncIterable<Buffer> {
  return (async function* () { /* nothing */ })();
}

/** Joins small buffers into chunks of at least `min` bytes (fewer stream/zlib/hash round trips per layer). */
export async function* coalesce(chunks: AsyncIterable<Buffer>, min = 1 << 20): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    if (size === 0 && chunk.length >= min) {
      yield chunk;
      continue;
    }
    pending.push(chunk);
    size += chunk.length;
    if (size >= min) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}

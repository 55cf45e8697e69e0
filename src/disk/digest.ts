/**
 * @module sha256 of large, mostly sparse disk files. The file's extent map (`filefrag`, FIEMAP;
 * ranges still in the page cache are listed as delayed allocations, so no sync is needed) says
 * where the data is: data is read in 8 MiB chunks, holes are hashed from a zero buffer without
 * reading them (reading an 8 GiB raw disk's holes filled the page cache with zeros and took 5-20 s
 * of system time; syncing first to get the map took as long). Without an extent map, every byte
 * is read.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Artifact } from '../artifacts/manifest.ts';
import { runCommand } from '../process/index.ts';

const CHUNK = 8 * 2 ** 20;
const ZEROS = Buffer.alloc(CHUNK);

/** Byte ranges [start, end) holding data, sorted, or undefined when the map cannot be read. */
export async function dataRanges(path: string): Promise<[number, number][] | undefined> {
  const r = await runCommand(['filefrag', '-v', '-e', path]).catch(() => undefined);
  if (!r) return undefined;
  const block = /blocks of (\d+) bytes\)/.exec(r.stdout);
  if (!block) return undefined;
  const size = Number(block[1]);
  const found = /: (\d+) extents? found\s*$/.exec(r.stdout);
  const extents = [...r.stdout.matchAll(/^\s*(\d+):\s+(\d+)\.\.\s*(\d+):.*$/gm)];
  // Anything unexpected in the output means "no map" (read everything), never "all zeros": rows
  // numbered 0, 1, 2..., the last one flagged "last", or no rows and "0 extents found".
  if (!found || extents.some((m, i) => Number(m[1]) !== i)) return undefined;
  if (extents.length ? !/\blast\b/.test(extents.at(-1)![0]) : found[1] !== '0') return undefined;
  const ranges: [number, number][] = [];
  for (const m of extents) {
    const start = Number(m[2]) * size;
    const end = (Number(m[3]) + 1) * size;
    const last = ranges.at(-1);
    if (last && start < last[0]) return undefined;
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  }
  return ranges;
}

/** Hashes [from, to) of `fh`, reading the next chunk into the other buffer while this one is hashed. */
async function hashRead(hash: Hash, fh: FileHandle, bufs: [Buffer, Buffer], from: number, to: number): Promise<void> {
  const readAt = (pos: number, buf: Buffer) => fh.read(buf, 0, Math.min(CHUNK, to - pos), pos);
  let pos = from;
  let next = 0;
  let pending = pos < to ? readAt(pos, bufs[next]) : undefined;
  while (pending) {
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) throw new Error(`short read at ${pos}`);
    pos += bytesRead;
    next ^= 1;
    pending = pos < to ? readAt(pos, bufs[next]) : undefined;
    hash.update(buffer.subarray(0, bytesRead));
  }
}

function hashZeros(hash: Hash, bytes: number): void {
  for (let left = bytes; left > 0; left -= CHUNK) hash.update(left >= CHUNK ? ZEROS : ZEROS.subarray(0, left));
}

export async function sha256Large(path: string): Promise<string> {
  const hash = createHash('sha256');
  const [fileSize, ranges] = await Promise.all([stat(path).then((s) => s.size), dataRanges(path)]);
  const fh = await open(path, 'r');
  try {
    const bufs: [Buffer, Buffer] = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let pos = 0;
    for (const [start, end] of ranges ?? [[0, fileSize]]) {
      const from = Math.min(start, fileSize);
      const to = Math.min(end, fileSize);
      if (from > pos) hashZeros(hash, from - pos);
      await hashRead(hash, fh, bufs, Math.max(from, pos), to);
      pos = Math.max(pos, to);
    }
    if (pos < fileSize) hashZeros(hash, fileSize - pos);
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** The manifest entry of a disk file (describeArtifact's shape, with the faster digest). */
export async function describeDisk(outputDir: string, path: string, format: string): Promise<Artifact> {
  const [sha256, info] = await Promise.all([sha256Large(path), stat(path)]);
  return { path: relative(outputDir, path), format, sha256, sizeBytes: info.size };
}

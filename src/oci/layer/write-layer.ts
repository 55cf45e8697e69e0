/** @module Writes an OCI layer blob from a directory in one streaming pass, hashing diffId and digest on the way. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashTap } from '../digest.ts';
import { LAYER_MEDIA_TYPE, type Compression, type LayerDescriptor } from '../media-types.ts';
import { rechunk, writeTar } from '../tar/tar-writer.ts';
import { compressor } from './compression.ts';
import { readDirectoryAsTar } from './gnu-tar-source.ts';
import { normaliseEntries } from './overlay-entries.ts';

export interface WriteLayerOptions {
  sourceDir: string;
  /** `overlay-upper`: convert overlayfs whiteouts/opaque dirs to OCI ones; `full-rootfs`: take the tree as is. */
  kind: 'overlay-upper' | 'full-rootfs';
  compression: Compression;
  /** gzip's level (default GZIP_LEVEL.fast, see compression.ts). */
  gzipLevel?: number;
  outFile: string;
  /** Clamp mtimes to this many seconds since the epoch (the SOURCE_DATE_EPOCH setting); default: kept. */
  sourceDateEpoch?: number;
  /** Stops the write (the temp file is removed). */
  signal?: AbortSignal | undefined;
  /** Called every `progressMs` (default 2 s) with the bytes archived and written so far. */
  onProgress?: (progress: { tarBytes: number; blobBytes: number }) => void;
  progressMs?: number;
}

/**
 * Archives `sourceDir` as a layer blob at `outFile` (written to a temp name, renamed when complete).
 * Same tree in → same bytes out: entries sorted by name, numeric owners, no owner names, no atime/ctime.
 */
export async function writeLayer(opts: WriteLayerOptions): Promise<LayerDescriptor> {
  const entries = normaliseEntries(readDirectoryAsTar(opts.sourceDir), {
    kind: opts.kind,
    sourceDateEpoch: opts.sourceDateEpoch,
  });
  const diffTap = new HashTap();
  const blobTap = new HashTap();
  const tmp = `${opts.outFile}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const onProgress = opts.onProgress;
  const ticker = onProgress
    ? setInterval(() => onProgress({ tarBytes: diffTap.bytes, blobBytes: blobTap.bytes }), opts.progressMs ?? 2000)
    : undefined;
  try {
    await pipeline(
      Readable.from(rechunk(writeTar(entries), 256 * 1024), { objectMode: false, highWaterMark: 1 << 20 }),
      diffTap,
      compressor(opts.compression, opts.gzipLevel),
      blobTap,
      createWriteStream(tmp),
      ...(opts.signal ? [{ signal: opts.signal }] : []),
    );
    await rename(tmp, opts.outFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    clearInterval(ticker);
  }
  return {
    mediaType: LAYER_MEDIA_TYPE[opts.compression],
    digest: blobTap.digest(),
    size: blobTap.bytes,
    diffId: diffTap.digest(),
  };
}

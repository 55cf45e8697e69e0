/** @module Layer compression streams (zlib gzip/zstd run on the libuv threadpool) and format sniffing. */
import { open } from 'node:fs/promises';
import { PassThrough, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../media-types.ts';

export function compressor(compression: Compression): Duplex {
  if (compression === 'gzip') return zlib.createGzip({ level: 6 });
  if (compression === 'zstd') return zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } });
  return new PassThrough();
}

export function decompressor(compression: Compression): Duplex {
  if (compression === 'gzip') return zlib.createGunzip();
  if (compression === 'zstd') return zlib.createZstdDecompress();
  return new PassThrough();
}

/** Detects gzip/zstd by magic bytes; anything else is taken as a plain tar. */
export async function sniffCompression(file: string): Promise<Compression> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buffer.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

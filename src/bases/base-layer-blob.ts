/**
 * @module A root tree's compressed container base layer, kept beside it: `<dir>/base-layer.<compression>
 * [.epoch-N].{blob,json}` next to `<dir>/rootfs/` (a managed base's version dir, or an unpacked
 * parent's dir), the way buildah keeps an imported base. A managed base gets its default (gzip, no
 * SOURCE_DATE_EPOCH) blob when it is bootstrapped; other compressions, epochs and parents are made
 * by the first container build that needs them. The descriptor, written last, marks a blob complete;
 * both are written under temp names and renamed, so concurrent makers (same bytes) never clash.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../files/write-atomic.ts';
import { dirname, join } from 'node:path';
import { GZIP_LEVEL } from '../oci/layer/compression.ts';
import { writeLayer } from '../oci/layer/write-layer.ts';
import type { LayerDescriptor } from '../oci/media-types.ts';

export type BaseLayerCompression = 'gzip' | 'zstd';

/** What a bootstrap prepares: the compression and epoch a default `ingot build` asks for. */
export const PREPARED_BASE_LAYER: { compression: BaseLayerCompression } = { compression: 'gzip' };

export interface BaseLayerPaths {
  blob: string;
  descriptor: string;
}

export interface BaseLayerBlob {
  descriptor: LayerDescriptor;
  file: string;
  /** Found complete beside the tree (not made by this call). */
  reused: boolean;
}

/** Where the blob of the tree `rootDir` (a `.../rootfs` dir) and its descriptor live. */
export function baseLayerPaths(
  rootDir: string,
  compression: BaseLayerCompression,
  sourceDateEpoch?: number,
): BaseLayerPaths {
  // SOURCE_DATE_EPOCH clamps the layer's mtimes (see writeLayer): another epoch, other bytes.
  const epoch = sourceDateEpoch !== undefined ? `.epoch-${sourceDateEpoch}` : '';
  const name = join(dirname(rootDir), `base-layer.${compression}${epoch}`);
  return { blob: `${name}.blob`, descriptor: `${name}.json` };
}

/** The complete blob at `paths`, if any (its descriptor is there and its size matches). */
export async function readBaseLayer(paths: BaseLayerPaths): Promise<LayerDescriptor | undefined> {
  const text = await readFile(paths.descriptor, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const descriptor = JSON.parse(text) as LayerDescriptor;
  const size = await stat(paths.blob).then(
    (s) => s.size,
    () => -1,
  );
  return size === descriptor.size ? descriptor : undefined;
}

export interface BaseLayerOptions {
  sourceDateEpoch?: number | undefined;
  /** Stops making it; a blob already complete stays. */
  signal?: AbortSignal | undefined;
  /** Called every few seconds while the blob is made (it takes seconds on a full base). */
  onProgress?: ((line: string) => void) | undefined;
}

const MB = (n: number) => (n / 1e6).toFixed(0);

/** The blob of `rootDir`, found beside it or made there now. */
export async function ensureBaseLayer(
  rootDir: string,
  compression: BaseLayerCompression,
  opts: BaseLayerOptions = {},
): Promise<BaseLayerBlob> {
  const paths = baseLayerPaths(rootDir, compression, opts.sourceDateEpoch);
  const found = await readBaseLayer(paths);
  if (found) return { descriptor: found, file: paths.blob, reused: true };
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const onProgress = opts.onProgress;
  onProgress?.(`making the ${compression} container base layer (once per base)`);
  // The blob is renamed into place by writeLayer; the descriptor, written last, marks it complete.
  const descriptor = await writeLayer({
    sourceDir: rootDir,
    kind: 'full-rootfs',
    compression,
    // Made once and kept, but pulled with every image built on the base: the smaller level.
    gzipLevel: GZIP_LEVEL.small,
    outFile: paths.blob,
    signal: opts.signal,
    ...(opts.sourceDateEpoch !== undefined ? { sourceDateEpoch: opts.sourceDateEpoch } : {}),
    ...(onProgress
      ? {
          onProgress: (p: { tarBytes: number; blobBytes: number }) =>
            onProgress(
              `base layer: ${MB(p.tarBytes)} MB archived, ${MB(p.blobBytes)} MB ${compression} (${seconds()} s)`,
            ),
        }
      : {}),
  });
  await writeFileAtomic(paths.descriptor, JSON.stringify(descriptor));
  onProgress?.(
    `base layer ${descriptor.digest.slice(0, 19)} (${compression}, ${MB(descriptor.size)} MB) made in ${seconds()} s`,
  );
  return { descriptor, file: paths.blob, reused: false };
}

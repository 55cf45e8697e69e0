/**
 * @module A container image's base layer: the parent's tree as one compressed blob, made once per
 * parent and compression and kept with the parent (next to a managed base's or an unpacked
 * parent's `rootfs/`, the way buildah keeps an imported base), so only the first container
 * build on a base pays for it. A build starts it as soon as the parent is known, so it is made
 * while the components run.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LayerBlob } from '../../oci/image/layout.ts';
import { writeLayer } from '../../oci/layer/write-layer.ts';
import type { LayerDescriptor } from '../../oci/media-types.ts';
import type { ResolvedParent } from '../parent.ts';

export interface BaseLayerJob {
  /** The blob (made now, or found from an earlier build). */
  result: Promise<LayerBlob & { reused: boolean }>;
  /** Stops making it (a build that needs no new outputs); a blob already made stays. */
  cancel: () => void;
}

/** Where the blob and its descriptor live, or undefined for a parent without a tree of its own. */
export function baseLayerPaths(parent: ResolvedParent, compression: 'gzip' | 'zstd', sourceDateEpoch?: number) {
  if (!parent.rootDir) return undefined;
  // SOURCE_DATE_EPOCH clamps the layer's mtimes (see writeLayer): another epoch, other bytes.
  const epoch = sourceDateEpoch !== undefined ? `.epoch-${sourceDateEpoch}` : '';
  const name = join(dirname(parent.rootDir), `base-layer.${compression}${epoch}`);
  return { blob: `${name}.blob`, descriptor: `${name}.json` };
}

async function kept(paths: { blob: string; descriptor: string }): Promise<LayerDescriptor | undefined> {
  const text = await readFile(paths.descriptor, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const descriptor = JSON.parse(text) as LayerDescriptor;
  const size = await stat(paths.blob).then(
    (s) => s.size,
    () => -1,
  );
  return size === descriptor.size ? descriptor : undefined;
}

/** Starts finding or making the base layer of `parent`. */
export function startBaseLayer(
  parent: ResolvedParent,
  compression: 'gzip' | 'zstd',
  sourceDateEpoch?: number,
): BaseLayerJob {
  const abort = new AbortController();
  const result = (async () => {
    const paths = baseLayerPaths(parent, compression, sourceDateEpoch);
    if (!paths) throw new Error('container images need a parent with a root directory');
    const found = await kept(paths);
    if (found) return { descriptor: found, file: paths.blob, reused: true };
    // The blob is renamed into place by writeLayer; the descriptor, written last, marks it complete.
    const descriptor = await writeLayer({
      sourceDir: parent.rootDir!,
      kind: 'full-rootfs',
      compression,
      outFile: paths.blob,
      signal: abort.signal,
      ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
    });
    const tmp = `${paths.descriptor}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(descriptor));
    await rename(tmp, paths.descriptor).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
    return { descriptor, file: paths.blob, reused: false };
  })();
  result.catch(() => {}); // awaited by the outputs stage; a build that stops early cancels it
  return { result, cancel: () => abort.abort() };
}

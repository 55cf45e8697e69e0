/**
 * @module A container image's base layer: the parent's tree as one compressed blob, kept beside
 * the parent (src/bases/base-layer-blob.ts). A managed base gets its default blob when it is
 * bootstrapped; for other parents, compressions and epochs the first container build on them makes
 * it, started as soon as the parent is known so it is made while the components run.
 */
import { ensureBaseLayer, type BaseLayerBlob } from '../../bases/base-layer-blob.ts';
import type { ResolvedParent } from '../parent.ts';

export interface BaseLayerJob {
  /** The blob (made now, or found beside the parent). */
  result: Promise<BaseLayerBlob>;
  /** Stops making it (a build that needs no new outputs); a blob already made stays. */
  cancel: () => void;
}

/** Starts finding or making the base layer of `parent`. */
export function startBaseLayer(
  parent: ResolvedParent,
  compression: 'gzip' | 'zstd',
  sourceDateEpoch?: number,
): BaseLayerJob {
  const abort = new AbortController();
  const rootDir = parent.rootDir;
  const result = rootDir
    ? ensureBaseLayer(rootDir, compression, { sourceDateEpoch, signal: abort.signal })
    : Promise.reject(new Error('container images need a parent with a root directory'));
  result.catch(() => {}); // awaited by the outputs stage; a build that stops early cancels it
  return { result, cancel: () => abort.abort() };
}

/**
 * @module Writes a container build as an OCI image layout (`oci/`) and an `image.oci.tar`
 * archive: the parent as the base layer (made once per parent and cached), one layer per
 * component, and the image config from the Dockerfile template.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Artifact } from '../../artifacts/manifest.ts';
import { createHash } from 'node:crypto';
import type { LayerCache } from '../../cache/layer-cache.ts';
import { buildImageConfig, mergeRuntime, type ImageRuntimeConfig } from '../../oci/image/config.ts';
import { writeOciArchive } from '../../oci/image/archive.ts';
import { writeOciLayout, type LayerBlob } from '../../oci/image/layout.ts';
import { writeLayer } from '../../oci/layer/write-layer.ts';
import type { LayerDescriptor } from '../../oci/media-types.ts';
import type { StackLayer } from '../layer-stack.ts';
import type { ResolvedParent } from '../parent.ts';

export interface OciOutput {
  layoutDir: string;
  manifestDigest: string;
}

/** Writes `image.oci.tar` from the layout (after SBOM referrers and signatures are in it). */
export async function writeOciArchiveArtifact(outputDir: string, layoutDir: string): Promise<Artifact> {
  const archive = join(outputDir, 'image.oci.tar');
  const { sha256, size } = await writeOciArchive(layoutDir, archive);
  return { path: relative(outputDir, archive), format: 'oci-archive', sha256, sizeBytes: size };
}

/**
 * The parent's tree as one layer, reused across builds through the cache. The cache entry stays
 * held (`release`) until the layout that links its blob is written.
 */
async function baseLayer(
  parent: ResolvedParent,
  cache: LayerCache | undefined,
  workDir: string,
  compression: 'gzip' | 'zstd',
  sourceDateEpoch: number | undefined,
): Promise<LayerBlob & { release: () => void }> {
  if (!parent.rootDir) throw new IngotError('unsupported', 'container images need a parent with a root directory');
  const key = createHash('sha256').update(`base-layer|${compression}|${parent.key}`).digest('hex');
  const hit = cache ? await cache.acquire(key) : undefined;
  if (hit) return { descriptor: hit.entry.layer, file: hit.entry.blobPath, release: hit.release };
  const dir = await mkdtemp(join(workDir, 'base-'));
  const file = join(dir, 'layer.blob');
  const layer: LayerDescriptor = await writeLayer({
    sourceDir: parent.rootDir,
    kind: 'full-rootfs',
    compression,
    outFile: file,
    ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
  });
  if (!cache) return { descriptor: layer, file, release: () => {} };
  await mkdir(join(dir, 'empty'));
  const held = await cache.putAndAcquire(key, { diffDir: join(dir, 'empty'), layerFile: file, layer });
  await rm(dir, { recursive: true, force: true });
  return { descriptor: held.entry.layer, file: held.entry.blobPath, release: held.release };
}

export interface OciOutputOptions {
  outputDir: string;
  tag: string;
  parent: ResolvedParent;
  layers: readonly StackLayer[];
  runtime: ImageRuntimeConfig;
  cache: LayerCache | undefined;
  workDir: string;
  compression: 'gzip' | 'zstd';
  /** Clamp file times of the base layer (SOURCE_DATE_EPOCH setting). */
  sourceDateEpoch?: number | undefined;
  annotations?: Record<string, string>;
}

export async function writeOciOutput(opts: OciOutputOptions): Promise<OciOutput> {
  const base = await baseLayer(opts.parent, opts.cache, opts.workDir, opts.compression, opts.sourceDateEpoch);
  try {
    return await writeImage(opts, base);
  } finally {
    base.release();
  }
}

async function writeImage(opts: OciOutputOptions, base: LayerBlob): Promise<OciOutput> {
  const config = buildImageConfig({
    layers: [
      { diffId: base.descriptor.diffId, createdBy: `ingot: parent ${opts.parent.description}` },
      ...opts.layers.map((l) => ({ diffId: l.layer.diffId, createdBy: `ingot: component ${l.component}` })),
    ],
    runtime: mergeRuntime(opts.parent.runtime ?? {}, opts.runtime),
  });
  const layoutDir = join(opts.outputDir, 'oci');
  const written = await writeOciLayout({
    dir: layoutDir,
    tag: opts.tag,
    config,
    layers: [base, ...opts.layers.map((l) => ({ descriptor: l.layer, file: l.blobPath }))],
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  });
  return { layoutDir, manifestDigest: written.manifest.digest };
}

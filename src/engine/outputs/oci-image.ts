/**
 * @module Writes a container build as an OCI image layout (`oci/`) and an `image.oci.tar`
 * archive (started as soon as the layout is written, finished after the evidence): the parent as the base layer (made once per parent, see base-layer.ts), one layer per
 * component, and the image config from the Dockerfile template.
 */
import { join, relative } from 'node:path';
import type { Artifact } from '../../artifacts/manifest.ts';
import { buildImageConfig, mergeRuntime, type ImageRuntimeConfig } from '../../oci/image/config.ts';
import { startOciArchive } from '../../oci/image/archive.ts';
import { writeOciLayout, type LayerBlob } from '../../oci/image/layout.ts';
import type { StackLayer } from '../layer-stack.ts';
import type { ResolvedParent } from '../parent.ts';

export interface OciOutput {
  layoutDir: string;
  manifestDigest: string;
}

/**
 * Starts `image.oci.tar` from the layout now (its blobs: nearly all the bytes); `finish` adds the
 * SBOM referrers and signatures made since, and returns the artifact.
 */
export async function startOciArchiveArtifact(
  outputDir: string,
  layoutDir: string,
): Promise<{ finish: () => Promise<Artifact>; cancel: () => Promise<void> }> {
  const archive = join(outputDir, 'image.oci.tar');
  const writer = await startOciArchive(layoutDir, archive);
  return {
    async finish() {
      const { sha256, size } = await writer.finish();
      return { path: relative(outputDir, archive), format: 'oci-archive', sha256, sizeBytes: size };
    },
    cancel: () => writer.cancel(),
  };
}

export interface OciOutputOptions {
  outputDir: string;
  tag: string;
  parent: ResolvedParent;
  layers: readonly StackLayer[];
  runtime: ImageRuntimeConfig;
  /** The parent's tree as one layer (see base-layer.ts). */
  base: LayerBlob;
  annotations?: Record<string, string>;
}

export async function writeOciOutput(opts: OciOutputOptions): Promise<OciOutput> {
  const base = opts.base;
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

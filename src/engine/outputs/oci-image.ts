/**
 * @module Writes a container build as an OCI image layout (`oci/`) and an `image.oci.tar`
 * archive (started with the base layer's blob while the components build, finished after the
 * evidence): the parent as the base layer (made once per parent, see base-layer.ts), one layer per
 * component, and the image config from the Dockerfile template.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Artifact } from '../../artifacts/manifest.ts';
import { buildImageConfig, mergeRuntime, type ImageRuntimeConfig } from '../../oci/image/config.ts';
import { startOciArchive } from '../../oci/image/archive.ts';
import { addBlobFile, writeOciLayout, type LayerBlob } from '../../oci/image/layout.ts';
import type { StackLayer } from '../layer-stack.ts';
import type { ResolvedParent } from '../parent.ts';

export interface OciOutput {
  layoutDir: string;
  manifestDigest: string;
}

export interface OciArchiveArtifact {
  /** Goes on (in the background) with the rest of the image, once writeOciOutput has written it. */
  addLayout: () => Promise<void>;
  /** Adds the SBOM referrers and signatures made since, and returns the artifact. */
  finish: () => Promise<Artifact>;
  /** Stops, removes the partial archive, and the layout if this call made it. */
  cancel: () => Promise<void>;
}

/**
 * Starts `image.oci.tar` with the base layer's blob (nearly all its bytes), linked into the layout
 * first: the engine calls this as soon as a component's layer is to be built, so the copy runs
 * while the components do (else right before the layout is written: the same bytes either way).
 */
export async function startOciArchiveArtifact(outputDir: string, base: LayerBlob): Promise<OciArchiveArtifact> {
  const layoutDir = join(outputDir, 'oci');
  const madeLayout = !(await stat(layoutDir).then(
    () => true,
    () => false,
  ));
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await addBlobFile(layoutDir, base.descriptor.digest, base.file);
  const archive = join(outputDir, 'image.oci.tar');
  const writer = await startOciArchive(layoutDir, archive);
  return {
    addLayout: () => writer.addPresent(),
    async finish() {
      const { sha256, size } = await writer.finish();
      return { path: relative(outputDir, archive), format: 'oci-archive', sha256, sizeBytes: size };
    },
    async cancel() {
      await writer.cancel();
      if (madeLayout) await rm(layoutDir, { recursive: true, force: true });
    },
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

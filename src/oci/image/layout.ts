/** @module Writes OCI image layout directories (oci-layout, index.json, blobs/sha256) that skopeo and umoci read. */
import { copyFile, link, mkdir, readFile, stat } from 'node:fs/promises';
import { renameIntoPlace, tempPathBeside, writeFileAtomic } from '../../files/write-atomic.ts';
import { join } from 'node:path';
import { digestHex } from '../digest.ts';
import { MEDIA_TYPES, type Descriptor, type LayerDescriptor } from '../media-types.ts';
import type { OciImageConfig } from './config.ts';
import { buildManifest, jsonBlob, REF_NAME_ANNOTATION, type OciIndex } from './manifest.ts';

export interface LayerBlob {
  descriptor: LayerDescriptor;
  /** Where the compressed blob is now (hard-linked into the layout when possible, else copied). */
  file: string;
}

export interface WriteOciLayoutOptions {
  dir: string;
  /** Becomes the `org.opencontainers.image.ref.name` annotation in index.json (replacing an entry with the same tag). */
  tag: string;
  config: OciImageConfig;
  /** All layers, bottom first, in the same order as `config.rootfs.diff_ids`. */
  layers: readonly LayerBlob[];
  annotations?: Record<string, string>;
}

export interface WrittenImage {
  manifest: Descriptor;
  config: Descriptor;
}

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digestHex(digest));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Puts a blob file into the layout unless a blob with that digest is already there. */
export async function addBlobFile(layoutDir: string, digest: string, file: string): Promise<void> {
  const dest = blobPath(layoutDir, digest);
  if (await exists(dest)) return;
  const tmp = tempPathBeside(dest);
  await link(file, tmp).catch(() => copyFile(file, tmp));
  await renameIntoPlace(tmp, dest);
}

async function readIndex(dir: string): Promise<OciIndex> {
  const raw = await readFile(join(dir, 'index.json'), 'utf8').catch(() => null);
  return raw ? (JSON.parse(raw) as OciIndex) : { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] };
}

/** Creates (or adds a tagged image to) an OCI image layout at `opts.dir`. */
export async function writeOciLayout(opts: WriteOciLayoutOptions): Promise<WrittenImage> {
  if (opts.layers.length !== opts.config.rootfs.diff_ids.length) {
    throw new Error(`image has ${opts.layers.length} layer blobs but ${opts.config.rootfs.diff_ids.length} diff_ids`);
  }
  await mkdir(join(opts.dir, 'blobs', 'sha256'), { recursive: true });
  await writeFileAtomic(join(opts.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const layer of opts.layers) await addBlobFile(opts.dir, layer.descriptor.digest, layer.file);
  const config = jsonBlob(opts.config, MEDIA_TYPES.config);
  await writeFileAtomic(blobPath(opts.dir, config.descriptor.digest), config.bytes);
  const manifest = buildManifest({
    config: config.descriptor,
    layers: opts.layers.map((l) => l.descriptor),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  });
  await writeFileAtomic(blobPath(opts.dir, manifest.descriptor.digest), manifest.bytes);
  const index = await readIndex(opts.dir);
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== opts.tag);
  index.manifests.push({
    ...manifest.descriptor,
    annotations: { [REF_NAME_ANNOTATION]: opts.tag },
    platform: { architecture: opts.config.architecture, os: opts.config.os },
  });
  await writeFileAtomic(join(opts.dir, 'index.json'), JSON.stringify(index));
  return { manifest: manifest.descriptor, config: config.descriptor };
}

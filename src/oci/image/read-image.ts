/** @module Reads an image from an OCI layout directory or oci-archive: manifest, config and layer blob paths. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../../errors/ingot-error.ts';
import { MEDIA_TYPES, type Descriptor } from '../media-types.ts';
import type { LayerBlob } from './layout.ts';
import { extractOciArchive } from './archive.ts';
import type { OciImageConfig } from './config.ts';
import { blobPath } from './layout.ts';
import { REF_NAME_ANNOTATION, type OciIndex, type OciManifest } from './manifest.ts';

export interface OciImage {
  /** The layout directory (a temp dir for archives: call `close()` when done). */
  layoutDir: string;
  manifestDescriptor: Descriptor;
  manifest: OciManifest;
  config: OciImageConfig;
  /** Layer blobs bottom first, with their file paths inside `layoutDir`. */
  layers: Array<{ descriptor: Descriptor; path: string }>;
  close(): Promise<void>;
}

export interface ReadOciImageOptions {
  /** Where to unpack an archive (default: the OS temp dir). */
  tmpDir?: string;
  architecture?: string;
  os?: string;
}

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.index, MEDIA_TYPES.dockerManifestList]);

async function readJson<T>(path: string, what: string): Promise<T> {
  const raw = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new IngotError('invalid-input', `OCI image: cannot read ${what} (${path})`, { cause: err });
  });
  return JSON.parse(raw) as T;
}

function pickFromIndex(index: OciIndex, ref: string | undefined, arch: string, os: string): Descriptor {
  const tagged =
    ref === undefined ? index.manifests : index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref);
  const candidates = tagged.filter((m) => !m.platform || (m.platform.architecture === arch && m.platform.os === os));
  if (candidates.length === 1 || (candidates.length > 1 && ref !== undefined)) return candidates[0]!;
  const tags = index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION] ?? m.digest).join(', ');
  if (candidates.length === 0) {
    const what = ref === undefined ? 'no manifest' : `no manifest tagged '${ref}'`;
    throw new IngotError('not-found', `OCI image: ${what} for ${os}/${arch} (have: ${tags || 'none'})`);
  }
  throw new IngotError('invalid-input', `OCI image: several images in the layout, name one with a tag (have: ${tags})`);
}

async function resolveManifest(dir: string, ref: string | undefined, arch: string, os: string): Promise<Descriptor> {
  let descriptor = pickFromIndex(await readJson<OciIndex>(join(dir, 'index.json'), 'index.json'), ref, arch, os);
  for (let depth = 0; INDEX_TYPES.has(descriptor.mediaType); depth++) {
    if (depth > 4) throw new IngotError('invalid-input', 'OCI image: image indexes nested too deep');
    descriptor = pickFromIndex(
      await readJson<OciIndex>(blobPath(dir, descriptor.digest), 'nested index'),
      undefined,
      arch,
      os,
    );
  }
  return descriptor;
}

/** Opens `source` (layout dir or oci-archive file) and resolves `ref` (a tag; optional when it holds one image). */
export async function readOciImage(source: string, ref?: string, opts: ReadOciImageOptions = {}): Promise<OciImage> {
  const isDir = (await stat(source)).isDirectory();
  const layoutDir = isDir ? source : await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ingot-oci-'));
  const close = async (): Promise<void> => {
    if (!isDir) await rm(layoutDir, { recursive: true, force: true });
  };
  try {
    if (!isDir) await extractOciArchive(source, layoutDir);
    const manifestDescriptor = await resolveManifest(layoutDir, ref, opts.architecture ?? 'amd64', opts.os ?? 'linux');
    const manifest = await readJson<OciManifest>(blobPath(layoutDir, manifestDescriptor.digest), 'manifest');
    const config = await readJson<OciImageConfig>(blobPath(layoutDir, manifest.config.digest), 'image config');
    const layers = manifest.layers.map((descriptor) => ({ descriptor, path: blobPath(layoutDir, descriptor.digest) }));
    for (const layer of layers) await stat(layer.path);
    return { layoutDir, manifestDescriptor, manifest, config, layers, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The parent's layers as `LayerBlob`s (descriptor + diffId from the config, file in the layout), ready to be listed
 * first in `writeOciLayout` for an image built on top of it (`buildImageConfig({ parent: image.config, ... })`).
 */
export function parentLayerBlobs(image: OciImage): LayerBlob[] {
  const diffIds = image.config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) {
    throw new IngotError(
      'invalid-input',
      `OCI image: ${image.layers.length} layers but ${diffIds.length} diff_ids in its config`,
    );
  }
  return image.layers.map(({ descriptor: d, path }, i) => ({
    descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size, diffId: diffIds[i]! },
    file: path,
  }));
}

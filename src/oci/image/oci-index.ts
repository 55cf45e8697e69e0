/**
 * @module Small OCI layout helpers for artifacts attached to an image (signatures, SBOM referrers):
 * write a JSON/bytes blob, add or replace an index.json entry, find the image a tag names, check blobs.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../files/write-atomic.ts';
import { join } from 'node:path';
import { IngotError } from '../../errors/ingot-error.ts';
import { sha256File, type Digest } from '../digest.ts';
import { blobPath } from './layout.ts';
import { REF_NAME_ANNOTATION, type OciIndex, type OciManifest } from './manifest.ts';
import { MEDIA_TYPES, type Descriptor } from '../media-types.ts';

/** A descriptor as OCI 1.1 index entries carry it (with the artifact type of an artifact manifest). */
export type IndexDescriptor = Descriptor & { artifactType?: string };
/** An OCI 1.1 manifest: an image manifest, or an artifact manifest (artifactType, subject). */
export type ArtifactManifest = OciManifest & { artifactType?: string; subject?: Descriptor };

/** Tags cosign uses for what it attaches to an image (`sha256-<hex>.sig|.att|.sbom`) and the referrers tag (`sha256-<hex>`). */
export const COSIGN_TAG = /^sha256-[a-f0-9]{64}\.(sig|att|sbom)$/;
export const ATTACHED_TAG = /^sha256-[a-f0-9]{64}(\.(sig|att|sbom))?$/;

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Writes bytes as a blob (atomic rename) and returns its descriptor. */
export async function writeBlob(layoutDir: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const digest: Digest = `sha256:${sha256Hex(bytes)}`;
  const path = blobPath(layoutDir, digest);
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await writeFileAtomic(path, bytes);
  return { mediaType, digest, size: bytes.length };
}

export async function readIndex(layoutDir: string): Promise<OciIndex> {
  const raw = await readFile(join(layoutDir, 'index.json'), 'utf8').catch((err: unknown) => {
    throw new IngotError('invalid-input', `${layoutDir} is not an OCI image layout (no index.json)`, {
      cause: err,
    });
  });
  return JSON.parse(raw) as OciIndex;
}

/** Adds `entry`; an entry with the same tag (or, untagged, the same digest) is replaced. */
export async function putIndexEntry(layoutDir: string, entry: IndexDescriptor): Promise<void> {
  const index = await readIndex(layoutDir);
  const tag = entry.annotations?.[REF_NAME_ANNOTATION];
  index.manifests = index.manifests.filter((m) =>
    tag ? m.annotations?.[REF_NAME_ANNOTATION] !== tag : m.digest !== entry.digest,
  );
  index.manifests.push(entry);
  await writeFileAtomic(join(layoutDir, 'index.json'), JSON.stringify(index));
}

/** The image manifest entry a tag names; without a tag, the only image (artifacts and cosign tags ignored). */
export async function findImageEntry(layoutDir: string, tag?: string): Promise<Descriptor> {
  const index = await readIndex(layoutDir);
  const images = index.manifests.filter((m) => {
    const ref = m.annotations?.[REF_NAME_ANNOTATION];
    if (tag !== undefined) return ref === tag;
    return (
      !(m as IndexDescriptor).artifactType && !(ref && ATTACHED_TAG.test(ref)) && m.mediaType !== MEDIA_TYPES.index
    );
  });
  const names = index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION] ?? m.digest).join(', ');
  if (images.length === 1) return images[0]!;
  if (images.length === 0)
    throw new IngotError(
      'not-found',
      `${layoutDir}: no image ${tag ? `tagged '${tag}'` : ''} in the layout (have: ${names || 'none'})`,
    );
  throw new IngotError(
    'invalid-input',
    `${layoutDir}: several images in the layout, name one with a tag (have: ${names})`,
  );
}

/** Reads a blob and checks that its bytes hash to its digest; undefined when missing or altered. */
export async function readVerifiedBlob(
  layoutDir: string,
  d: Pick<Descriptor, 'digest' | 'size'>,
): Promise<Buffer | undefined> {
  const bytes = await readFile(blobPath(layoutDir, d.digest)).catch(() => undefined);
  if (!bytes || bytes.length !== d.size || `sha256:${sha256Hex(bytes)}` !== d.digest) return undefined;
  return bytes;
}

/** Streams a (possibly large) blob and checks size and digest. */
export async function blobMatches(layoutDir: string, d: Pick<Descriptor, 'digest' | 'size'>): Promise<boolean> {
  const got = await sha256File(blobPath(layoutDir, d.digest)).catch(() => undefined);
  return got !== undefined && got.digest === d.digest && got.size === d.size;
}

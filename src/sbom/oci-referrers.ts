/**
 * @module SBOMs as OCI 1.1 referrers of an image in an OCI layout: one artifact manifest per document
 * (`artifactType` application/spdx+json or application/vnd.cyclonedx+json, `subject` = the image manifest),
 * listed untagged in index.json as oras' layout store does, and gathered in the distribution spec's
 * referrers tag schema (an image index tagged `sha256-<subject hex>`), which tools that cannot query a
 * referrers API read and copy (`skopeo inspect --raw oci:DIR:sha256-<hex>`, `skopeo copy --all`).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { REF_NAME_ANNOTATION } from '../oci/image/manifest.ts';
import { MEDIA_TYPES, type Descriptor } from '../oci/media-types.ts';
import { findImageEntry, putIndexEntry, readIndex, readVerifiedBlob, writeBlob } from '../oci/image/oci-index.ts';

export const SBOM_ARTIFACT_TYPES = {
  spdx: 'application/spdx+json',
  cycloneDx: 'application/vnd.cyclonedx+json',
} as const;
/** The OCI 1.1 empty config (`{}`). */
export const EMPTY_CONFIG_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';

export interface AttachSbomsOptions {
  layoutDir: string;
  /** The image's tag (optional when the layout holds one image). */
  tag?: string;
  spdxPath?: string;
  cycloneDxPath?: string;
  /** org.opencontainers.image.created of the artifacts (default now). */
  created?: string;
}

async function attach(
  layoutDir: string,
  subject: Descriptor,
  file: string,
  artifactType: string,
  created: string,
): Promise<Descriptor> {
  const layer = await writeBlob(layoutDir, await readFile(file), artifactType);
  layer.annotations = { 'org.opencontainers.image.title': basename(file) };
  const config = await writeBlob(layoutDir, Buffer.from('{}'), EMPTY_CONFIG_MEDIA_TYPE);
  const manifest = await writeBlob(
    layoutDir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        artifactType,
        config,
        layers: [layer],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations: { 'org.opencontainers.image.created': created },
      }),
    ),
    MEDIA_TYPES.manifest,
  );
  await putIndexEntry(layoutDir, { ...manifest, artifactType });
  return manifest;
}

/** (Re)writes the fallback referrers index of `subject`, tagged `sha256-<hex>`, listing every referrer in the layout. */
async function writeReferrersTag(layoutDir: string, subject: Descriptor): Promise<void> {
  const referrers = await listReferrers(layoutDir, subject.digest);
  const index = await writeBlob(
    layoutDir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.index,
        manifests: referrers.map((r) => ({
          mediaType: r.manifest.mediaType,
          digest: r.manifest.digest,
          size: r.manifest.size,
          artifactType: r.artifactType,
        })),
      }),
    ),
    MEDIA_TYPES.index,
  );
  await putIndexEntry(layoutDir, { ...index, annotations: { [REF_NAME_ANNOTATION]: referrersTag(subject.digest) } });
}

/** The referrers tag schema's tag for a digest: `sha256:abc…` → `sha256-abc…`. */
export const referrersTag = (digest: string): string => digest.replace(':', '-');

/** Writes the SBOM referrers of the image (and its referrers tag); returns their manifest descriptors. */
export async function attachSbomReferrers(opts: AttachSbomsOptions): Promise<Descriptor[]> {
  const subject = await findImageEntry(opts.layoutDir, opts.tag);
  const created = (opts.created ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z');
  const out: Descriptor[] = [];
  if (opts.spdxPath) out.push(await attach(opts.layoutDir, subject, opts.spdxPath, SBOM_ARTIFACT_TYPES.spdx, created));
  if (opts.cycloneDxPath)
    out.push(await attach(opts.layoutDir, subject, opts.cycloneDxPath, SBOM_ARTIFACT_TYPES.cycloneDx, created));
  await writeReferrersTag(opts.layoutDir, subject);
  return out;
}

/** The referrers of `subjectDigest` listed in the layout's index (what a registry's referrers API would answer). */
export async function listReferrers(
  layoutDir: string,
  subjectDigest: string,
): Promise<Array<{ artifactType: string; manifest: Descriptor }>> {
  const out: Array<{ artifactType: string; manifest: Descriptor }> = [];
  for (const entry of (await readIndex(layoutDir)).manifests) {
    const bytes = await readVerifiedBlob(layoutDir, entry);
    if (!bytes) continue;
    const m = JSON.parse(bytes.toString('utf8')) as { artifactType?: string; subject?: Descriptor };
    if (m.subject?.digest === subjectDigest && m.artifactType)
      out.push({ artifactType: m.artifactType, manifest: entry });
  }
  return out;
}

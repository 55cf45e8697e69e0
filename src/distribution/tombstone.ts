/**
 * @module A one-off OCI image layout ("tombstone") whose manifest no other image shares: pushed over a
 * tag and then deleted by its digest, it removes that one tag. Deleting a tag in the registry API
 * deletes its manifest, and with it every other tag (another image's, say) on the same digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const TOMBSTONE_TAG = 'ingot-tombstone';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function writeBlob(dir: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

/** Writes a tombstone layout (an empty image with a random label) into `dir`, tagged TOMBSTONE_TAG. */
export async function writeTombstoneLayout(dir: string, label = randomBytes(16).toString('hex')): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  // A gzipped empty tar (two zero blocks), so registries that want a layer get one.
  const emptyTar = Buffer.alloc(10240);
  const emptyLayer = gzipSync(emptyTar);
  const layer = await writeBlob(dir, emptyLayer);
  const config = await writeBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Labels: { 'dev.ingot.tombstone': label } },
        rootfs: { type: 'layers', diff_ids: [sha256(emptyTar)] },
      }),
    ),
  );
  const manifest = await writeBlob(
    dir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': TOMBSTONE_TAG },
        },
      ],
    }),
  );
}

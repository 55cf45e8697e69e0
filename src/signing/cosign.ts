/**
 * @module cosign-compatible image signatures in an OCI layout: the "simple signing" payload naming the
 * image manifest digest, signed with ECDSA P-256, stored as cosign stores it in a registry (an image
 * tagged `sha256-<hex>.sig` whose layer is the payload, the signature in its annotation).
 */
import type { KeyObject } from 'node:crypto';
import { REF_NAME_ANNOTATION } from '../oci/image/manifest.ts';
import { MEDIA_TYPES, type Descriptor } from '../oci/media-types.ts';
import { digestHex } from '../oci/digest.ts';
import { signBytes } from './keys.ts';
import { findImageEntry, putIndexEntry, writeBlob } from '../oci/image/oci-index.ts';

export const COSIGN = {
  payloadMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  signatureAnnotation: 'dev.cosignproject.cosign/signature',
  payloadType: 'cosign container image signature',
} as const;

export interface SimpleSigningPayload {
  critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string }; type: string };
  optional: Record<string, string>;
}

/** `sha256:abc…` → `sha256-abc….sig` (cosign's signature tag for that manifest). */
export const signatureTag = (manifestDigest: string): string => `sha256-${digestHex(manifestDigest)}.sig`;

export function simpleSigningPayload(dockerReference: string, manifestDigest: string): Buffer {
  const payload: SimpleSigningPayload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': manifestDigest },
      type: COSIGN.payloadType,
    },
    optional: {},
  };
  return Buffer.from(JSON.stringify(payload));
}

export interface SignOciImageOptions {
  layoutDir: string;
  /** The image's tag in the layout (optional when the layout holds one image). */
  tag?: string;
  /** What the signature vouches for, e.g. `registry.example/team/app` (cosign's docker-reference). */
  dockerReference: string;
  key: KeyObject;
}

export interface OciSignature {
  imageDigest: string;
  signatureTag: string;
  signatureManifest: Descriptor;
  payloadDigest: string;
}

/** Signs the image manifest a tag names; the signature image replaces an earlier one with the same tag. */
export async function signOciImage(opts: SignOciImageOptions): Promise<OciSignature> {
  const image = await findImageEntry(opts.layoutDir, opts.tag);
  const payload = simpleSigningPayload(opts.dockerReference, image.digest);
  const layer = await writeBlob(opts.layoutDir, payload, COSIGN.payloadMediaType);
  layer.annotations = { [COSIGN.signatureAnnotation]: signBytes(payload, opts.key) };
  const zero = '0001-01-01T00:00:00Z';
  const config = await writeBlob(
    opts.layoutDir,
    Buffer.from(
      JSON.stringify({
        architecture: '',
        created: zero,
        history: [{ created: zero }],
        os: '',
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        config: {},
      }),
    ),
    MEDIA_TYPES.config,
  );
  const manifest = await writeBlob(
    opts.layoutDir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        config,
        layers: [layer],
      }),
    ),
    MEDIA_TYPES.manifest,
  );
  const tag = signatureTag(image.digest);
  await putIndexEntry(opts.layoutDir, { ...manifest, annotations: { [REF_NAME_ANNOTATION]: tag } });
  return { imageDigest: image.digest, signatureTag: tag, signatureManifest: manifest, payloadDigest: layer.digest };
}

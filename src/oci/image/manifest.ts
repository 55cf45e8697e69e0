/** @module OCI image manifest and index documents, serialised to the exact bytes that get hashed. */
import { sha256Bytes } from '../digest.ts';
import { MEDIA_TYPES, type Descriptor, type LayerDescriptor } from '../media-types.ts';

export interface OciManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** A JSON document with its bytes and descriptor (the digest is over exactly these bytes). */
export interface Blob<T> {
  value: T;
  bytes: Buffer;
  descriptor: Descriptor;
}

export function jsonBlob<T>(value: T, mediaType: string): Blob<T> {
  const bytes = Buffer.from(JSON.stringify(value));
  return { value, bytes, descriptor: { mediaType, digest: sha256Bytes(bytes), size: bytes.length } };
}

export function layerToDescriptor(layer: LayerDescriptor): Descriptor {
  return { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
}

export function buildManifest(opts: {
  config: Descriptor;
  layers: readonly LayerDescriptor[];
  annotations?: Record<string, string>;
}): Blob<OciManifest> {
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: opts.config,
    layers: opts.layers.map(layerToDescriptor),
  };
  if (opts.annotations && Object.keys(opts.annotations).length > 0) manifest.annotations = opts.annotations;
  return jsonBlob(manifest, MEDIA_TYPES.manifest);
}

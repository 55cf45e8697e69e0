/** @module OCI media types and the descriptor shapes shared by layers, configs and manifests. */
import type { Digest } from './digest.ts';

export const MEDIA_TYPES = {
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  config: 'application/vnd.oci.image.config.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export type Compression = 'gzip' | 'zstd' | 'none';

export const LAYER_MEDIA_TYPE: Record<Compression, string> = {
  gzip: MEDIA_TYPES.layerGzip,
  zstd: MEDIA_TYPES.layerZstd,
  none: MEDIA_TYPES.layerTar,
};

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

/** A layer blob: `digest`/`size` of the (compressed) blob, `diffId` of the uncompressed tar. */
export interface LayerDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  diffId: Digest;
}

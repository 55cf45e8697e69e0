/**
 * @module A site in an S3-compatible bucket: `PREFIX/blobs/sha256/HEX` (uploaded once, found by
 * HEAD, streamed as a multipart upload so disks of any size fit in bounded memory) and
 * `PREFIX/images/ID/index.json` mapping each file name of the image to its blob.
 * Deleting an image removes its index; pruning deletes blobs no index names.
 */
import type { S3SiteConfig } from '../config/ingot-config.ts';
import { S3Bucket, uploadFile } from '../s3/index.ts';
import type { PutOptions, Site } from './site.ts';

export class S3Site implements Site {
  readonly region: string;
  readonly #bucket: S3Bucket;
  readonly #prefix: string;
  readonly #pending = new Map<string, Record<string, string>>();

  constructor(region: string, config: S3SiteConfig) {
    this.region = region;
    const { timeoutSeconds, ...endpoint } = config;
    this.#bucket = new S3Bucket(
      { ...endpoint, ...(timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {}) },
      config.bucket,
    );
    this.#prefix = config.prefix ? config.prefix.replace(/\/?$/, '/') : '';
  }

  #blob = (sha256: string): string => `${this.#prefix}blobs/sha256/${sha256}`;
  #index = (imageId: string): string => `${this.#prefix}images/${imageId}/index.json`;

  location(imageId: string, file?: string): string {
    return `s3://${this.#bucket.name}/${this.#prefix}images/${imageId}/${file ?? ''}`;
  }

  archiveUri(imageId: string): string {
    return this.location(imageId, 'image.oci.tar');
  }

  async putFile(imageId: string, name: string, sha256: string, source: string, o: PutOptions = {}): Promise<void> {
    if (!(await this.#bucket.exists(this.#blob(sha256), o)))
      await uploadFile(this.#bucket, this.#blob(sha256), source, o);
    this.#pending.set(imageId, { ...(this.#pending.get(imageId) ?? {}), [name]: sha256 });
  }

  async commit(imageId: string): Promise<void> {
    const files = this.#pending.get(imageId) ?? {};
    await this.#bucket.putBytes(this.#index(imageId), JSON.stringify({ files }, null, 2));
    this.#pending.delete(imageId);
  }

  async removeImage(imageId: string): Promise<void> {
    await this.#bucket.delete(this.#index(imageId));
  }

  async prune(): Promise<void> {
    const used = new Set<string>();
    for (const key of await this.#bucket.list(`${this.#prefix}images/`)) {
      if (!key.endsWith('/index.json')) continue;
      const index = JSON.parse(await this.#bucket.getText(key)) as { files?: Record<string, string> };
      for (const sha of Object.values(index.files ?? {})) used.add(sha);
    }
    for (const key of await this.#bucket.list(`${this.#prefix}blobs/sha256/`)) {
      if (!used.has(key.split('/').pop()!)) await this.#bucket.delete(key);
    }
  }
}

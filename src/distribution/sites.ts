/**
 * @module A region's artifact store ("site"): a directory (default `$INGOT_HOME/regions/REGION`,
 * or `sites.REGION.directory`) or an S3-compatible bucket (`sites.REGION.s3`), with one part per
 * account (`ACCOUNT/` under the directory or the bucket's prefix) that no other account's images
 * read, write or prune. Each part keeps blobs by sha256 and re-uses one already there.
 */
import { join } from 'node:path';
import type { IngotConfig } from '../config/ingot-config.ts';
import { S3Site } from './s3-site.ts';
import type { Site } from './site.ts';
import { commitImage, imageDir, pruneBlobs, removeImage, storeFile } from './site-store.ts';

export class DirectorySite implements Site {
  readonly region: string;
  readonly root: string;

  constructor(region: string, root: string) {
    this.region = region;
    this.root = root;
  }

  location(imageId: string, file?: string): string {
    return file ? join(imageDir(this.root, imageId), file) : imageDir(this.root, imageId);
  }

  archiveUri(imageId: string, tag: string): string {
    return `oci-archive:${this.location(imageId, 'image.oci.tar')}:${tag}`;
  }

  async putFile(imageId: string, name: string, sha256: string, source: string): Promise<void> {
    await storeFile(this.root, imageId, name, sha256, source);
  }

  commit(imageId: string): Promise<void> {
    return commitImage(this.root, imageId);
  }

  removeImage(imageId: string): Promise<void> {
    return removeImage(this.root, imageId);
  }

  async prune(): Promise<void> {
    await pruneBlobs(this.root);
  }
}

/** The account's part of the site of `region` (a 12-digit account id, checked: it becomes a path). */
export function openSite(home: string, config: IngotConfig, region: string, account: string): Site {
  if (!/^[0-9]{12}$/.test(account)) throw new Error(`not an account id: '${account}'`);
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new Error(`not a region name: '${region}'`);
  const site = config.sites?.[region];
  if (site?.s3)
    return new S3Site(region, {
      ...site.s3,
      prefix: `${(site.s3.prefix ?? '').replace(/\/?$/, '/').replace(/^\/$/, '')}${account}/`,
    });
  return new DirectorySite(region, join(site?.directory ?? join(home, 'regions', region), account));
}

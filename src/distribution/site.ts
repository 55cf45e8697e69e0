/** @module A region's artifact store ("site"): the interface directory and S3 sites implement. */

export interface Site {
  readonly region: string;
  /** Human-readable place of an image's copy (or of one of its files). */
  location(imageId: string, file?: string): string;
  /** The `imageUris` entry of a container image's archive in this site. */
  archiveUri(imageId: string, tag: string): string;
  /** Stores a file of an image under its content digest (re-using the blob when present). */
  putFile(imageId: string, name: string, sha256: string, source: string, o?: PutOptions): Promise<void>;
  /** Makes the image's files visible together (after every putFile). */
  commit(imageId: string): Promise<void>;
  removeImage(imageId: string): Promise<void>;
  /** Deletes blobs no image uses any more. */
  prune(): Promise<void>;
}

export interface PutOptions {
  signal?: AbortSignal;
  /** Bytes copied so far and the file's size, while a big file is being copied. */
  onProgress?: (done: number, total: number) => void;
}

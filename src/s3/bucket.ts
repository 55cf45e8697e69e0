/**
 * @module One bucket of an S3-compatible service: small objects (head, get, put, delete, list) here,
 * big files through `transfer.ts` (streamed multipart uploads, ranged downloads).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { attempt, openS3Client, S3Failure, type S3Endpoint } from './client.ts';

export interface BucketOptions {
  /** `x-amz-expected-bucket-owner` on every request (S3 refuses when another account owns the bucket). */
  expectedOwner?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class S3Bucket {
  readonly name: string;
  readonly client: S3Client;
  readonly expectedOwner: string | undefined;

  constructor(endpoint: S3Endpoint, name: string, options: BucketOptions = {}) {
    this.name = name;
    this.client = openS3Client(endpoint);
    this.expectedOwner = options.expectedOwner;
  }

  /** `s3://bucket/key`, for messages. */
  url(key: string): string {
    return `s3://${this.name}/${key}`;
  }

  /** Bucket and owner parameters every object request takes. */
  params(key: string): { Bucket: string; Key: string; ExpectedBucketOwner?: string } {
    return { Bucket: this.name, Key: key, ...(this.expectedOwner ? { ExpectedBucketOwner: this.expectedOwner } : {}) };
  }

  /** Size and ETag of an object, or undefined when there is none. */
  async head(key: string, o: RequestOptions = {}): Promise<{ size: number; etag: string | undefined } | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand(this.params(key)), { abortSignal: o.signal });
      return { size: r.ContentLength ?? 0, etag: r.ETag };
    } catch (err) {
      const failure = new S3Failure(`HEAD ${this.url(key)}`, err);
      if (failure.status === 404) return undefined;
      throw failure;
    }
  }

  async exists(key: string, o: RequestOptions = {}): Promise<boolean> {
    return (await this.head(key, o)) !== undefined;
  }

  /** A small object whole in memory (indexes, documents); big ones go through `readObject`. */
  async getBytes(key: string, o: RequestOptions = {}): Promise<Uint8Array> {
    return attempt(`GET ${this.url(key)}`, async () => {
      const r = await this.client.send(new GetObjectCommand(this.params(key)), { abortSignal: o.signal });
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    });
  }

  async getText(key: string, o: RequestOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.getBytes(key, o));
  }

  /** A small object from memory; big files go through `uploadFile`. */
  async putBytes(key: string, body: Uint8Array | string, o: RequestOptions = {}): Promise<void> {
    await attempt(`PUT ${this.url(key)}`, () =>
      this.client.send(new PutObjectCommand({ ...this.params(key), Body: body }), { abortSignal: o.signal }),
    );
  }

  async delete(key: string, o: RequestOptions = {}): Promise<void> {
    await attempt(`DELETE ${this.url(key)}`, () =>
      this.client.send(new DeleteObjectCommand(this.params(key)), { abortSignal: o.signal }),
    );
  }

  /** Keys under `prefix`, following continuation tokens up to `limit` keys (default: all). */
  async list(prefix: string, o: RequestOptions & { limit?: number } = {}): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    const limit = o.limit ?? Number.POSITIVE_INFINITY;
    do {
      const page = await attempt(`LIST ${this.url(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.name,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
            ...(this.expectedOwner ? { ExpectedBucketOwner: this.expectedOwner } : {}),
          }),
          { abortSignal: o.signal },
        ),
      );
      for (const c of page.Contents ?? []) if (c.Key !== undefined && keys.length < limit) keys.push(c.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys;
  }

  /** CreateBucket (tests, and callers preparing an S3-compatible store). */
  async create(o: RequestOptions = {}): Promise<void> {
    await attempt(`CREATE s3://${this.name}`, () =>
      this.client.send(new CreateBucketCommand({ Bucket: this.name }), { abortSignal: o.signal }),
    );
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}

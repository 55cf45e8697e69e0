/**
 * @module Big files to and from S3 with bounded memory: streamed multipart uploads
 * (`@aws-sdk/lib-storage`, aborted on failure so no parts are left behind) and sequential ranged
 * downloads that resume a broken range where it stopped.
 */
import { AbortMultipartUploadCommand, GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Bucket } from './bucket.ts';
import { describeS3Error, S3Failure } from './client.ts';

const MiB = 1024 * 1024;
/** S3 allows 10,000 parts; stay below with room. */
const MAX_PARTS = 9000;
/** What the parts in flight may hold in memory together. */
const BUFFER_BUDGET = 64 * MiB;

/**
 * Part size (8 MiB like the aws CLI, or more so that a file needs at most 9,000 parts) and how many
 * parts go at once (4, fewer when big parts would hold more than 64 MiB together).
 */
export function multipartPlan(size: number): { partSize: number; queueSize: number } {
  const partSize = Math.max(8 * MiB, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  return { partSize, queueSize: Math.max(1, Math.min(4, Math.floor(BUFFER_BUDGET / partSize))) };
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** Bytes done so far and the total, after each part or range. */
  onProgress?: (done: number, total: number) => void;
}

/** Uploads a file of any size; a failed or cancelled multipart upload is aborted (its parts deleted). */
export async function uploadFile(bucket: S3Bucket, key: string, path: string, o: TransferOptions = {}): Promise<void> {
  const what = `PUT ${bucket.url(key)}`;
  const { size } = await stat(path);
  const { partSize, queueSize } = multipartPlan(size);
  const body = createReadStream(path);
  const upload = new Upload({
    client: bucket.client,
    params: { ...bucket.params(key), Body: body, ContentLength: size },
    partSize,
    queueSize,
    // Ingot aborts a failed upload itself, so that the error reported is the one that failed it.
    leavePartsOnError: true,
  });
  if (o.onProgress) upload.on('httpUploadProgress', (p) => o.onProgress!(p.loaded ?? 0, size));
  const cancel = () => void upload.abort();
  o.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (o.signal?.aborted) throw o.signal.reason;
    await upload.done();
  } catch (err) {
    const failure = new S3Failure(what, err);
    if (upload.uploadId) {
      const abort = new AbortMultipartUploadCommand({ ...bucket.params(key), UploadId: upload.uploadId });
      await bucket.client.send(abort).catch((abortErr: unknown) => {
        failure.message += ` (aborting multipart upload ${upload.uploadId} failed too: ${describeS3Error(abortErr).detail})`;
      });
    }
    throw failure;
  } finally {
    o.signal?.removeEventListener('abort', cancel);
    body.destroy();
  }
}

/**
 * The object's bytes as a stream of ranged GETs of `rangeSize` (8 MiB) each, If-Match the first
 * answer's ETag so that a replaced object fails rather than mixes; a range whose connection breaks
 * is resumed where it stopped. A server that ignores Range sends the whole object at once.
 */
export async function* readObject(
  bucket: S3Bucket,
  key: string,
  o: TransferOptions & { rangeSize?: number } = {},
): AsyncGenerator<Uint8Array> {
  const step = o.rangeSize ?? 8 * MiB;
  let offset = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let failures = 0;
  do {
    const end = offset + step - 1;
    try {
      const r = await bucket.client.send(
        new GetObjectCommand({
          ...bucket.params(key),
          Range: `bytes=${offset}-${end}`,
          ...(etag ? { IfMatch: etag } : {}),
        }),
        { abortSignal: o.signal },
      );
      if (r.ContentRange === undefined && offset > 0)
        throw new S3Failure(`GET ${bucket.url(key)}`, new Error('the server ignores Range, cannot resume'));
      etag ??= r.ETag;
      total ??= Number(/\/(\d+)$/.exec(r.ContentRange ?? '')?.[1] ?? Number.NaN);
      if (total === 0) {
        // Empty object answered as a range (some servers): there is no body to wait for.
        (r.Body as Readable).destroy();
        return;
      }
      for await (const chunk of r.Body as Readable) {
        offset += chunk.byteLength;
        yield chunk as Uint8Array;
      }
      if (r.ContentRange === undefined) total = offset; // the whole object came at once
      failures = 0;
      o.onProgress?.(offset, total);
    } catch (err) {
      // An empty object has no byte 0: S3 answers 416 to the first range.
      if (offset === 0 && err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) {
        if ((await bucket.head(key, o))?.size === 0) return;
      }
      // The SDK already retried the request; a body that broke midway is resumed here.
      if (err instanceof S3Failure) throw err;
      const fatal = err instanceof S3ServiceException || !(err instanceof Error);
      if (o.signal?.aborted || fatal || ++failures > 3)
        throw new S3Failure(`GET ${bucket.url(key)}${offset ? ` (from byte ${offset})` : ''}`, err);
    }
    if (Number.isNaN(total)) total = undefined;
  } while (total === undefined || offset < total);
}

/** Downloads an object into a file (streamed, ranged). */
export async function downloadFile(
  bucket: S3Bucket,
  key: string,
  path: string,
  o: TransferOptions = {},
): Promise<void> {
  await pipeline(
    Readable.from(readObject(bucket, key, o)),
    createWriteStream(path),
    o.signal ? { signal: o.signal } : {},
  );
}

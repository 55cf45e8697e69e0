/** @module `s3://bucket/key` URLs of the S3 actions and the bucket they name, through Ingot's one S3 module. */
import type { S3Bucket } from '../../s3/index.ts';
import { ActionFailure } from './define.ts';
import type { S3Options } from './define.ts';

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new ActionFailure(`'${url}' is not an s3://bucket/key URL`);
  return { bucket: m[1]!, key: m[2]! };
}

/** The S3 module, loaded when an S3 action runs (the AWS SDK is most of a build's start-up otherwise). */
export const s3Module = () => import('../../s3/index.ts');

/** The bucket on the executor's S3 endpoint, checking `expectedBucketOwner` when given. */
export async function openBucket(s3: S3Options, bucket: string, owner?: string): Promise<S3Bucket> {
  const { S3Bucket } = await s3Module();
  return new S3Bucket(s3, bucket, owner ? { expectedOwner: owner } : {});
}

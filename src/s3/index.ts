/** @module The S3 module: one client for distribution sites and the AWSTOE S3 actions. */
export { S3Bucket, type BucketOptions, type RequestOptions } from './bucket.ts';
export { S3Failure, type S3Endpoint } from './client.ts';
export { downloadFile, multipartPlan, readObject, uploadFile, type TransferOptions } from './transfer.ts';

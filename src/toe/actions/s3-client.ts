/** @module Minimal SigV4-signed S3 client (path-style, any S3-compatible endpoint) for S3Download and S3Upload. */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
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

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

async function send(
  s3: S3Options,
  method: string,
  loc: S3Location,
  opts: { query?: Record<string, string>; body?: Uint8Array; owner?: string; signal?: AbortSignal },
): Promise<Response> {
  const endpoint = new URL(s3.endpoint);
  const basePath = endpoint.pathname.replace(/\/$/, '');
  const headers: Record<string, string> = { host: endpoint.host };
  if (opts.owner) headers['x-amz-expected-bucket-owner'] = opts.owner;
  const request = new HttpRequest({
    method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: `${basePath}/${loc.bucket}/${encodeKey(loc.key)}`.replace(/\/$/, loc.key ? '/' : ''),
    query: opts.query ?? {},
    headers,
    ...(opts.body ? { body: opts.body } : {}),
  });
  const credentials = {
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}),
  };
  const signer = new SignatureV4({
    credentials,
    region: s3.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign(request);
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  const url = `${endpoint.protocol}//${endpoint.host}${signed.path}${query ? `?${query}` : ''}`;
  const { host: _host, ...sendHeaders } = signed.headers;
  return fetch(url, {
    method,
    headers: sendHeaders,
    ...(opts.body ? { body: new Uint8Array(opts.body) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

async function check(response: Response, what: string): Promise<Response> {
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    throw new ActionFailure(`${what}: HTTP ${response.status}${code ? ` ${code}` : ''}`);
  }
  return response;
}

export async function getObject(
  s3: S3Options,
  loc: S3Location,
  owner?: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const response = await check(
    await send(s3, 'GET', loc, { ...(owner ? { owner } : {}), ...(signal ? { signal } : {}) }),
    `GET s3://${loc.bucket}/${loc.key}`,
  );
  return new Uint8Array(await response.arrayBuffer());
}

export async function putObject(
  s3: S3Options,
  loc: S3Location,
  body: Uint8Array,
  owner?: string,
  signal?: AbortSignal,
): Promise<void> {
  await check(
    await send(s3, 'PUT', loc, { body, ...(owner ? { owner } : {}), ...(signal ? { signal } : {}) }),
    `PUT s3://${loc.bucket}/${loc.key}`,
  );
}

/** Keys under `prefix` (ListObjectsV2, at most 1000 like AWSTOE). */
export async function listKeys(
  s3: S3Options,
  bucket: string,
  prefix: string,
  owner?: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const response = await check(
    await send(
      s3,
      'GET',
      { bucket, key: '' },
      {
        query: { 'list-type': '2', prefix },
        ...(owner ? { owner } : {}),
        ...(signal ? { signal } : {}),
      },
    ),
    `LIST s3://${bucket}/${prefix}`,
  );
  const xml = await response.text();
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'),
  );
}

/** CreateBucket (used by tests and by callers preparing an S3-compatible store). */
export async function createBucket(s3: S3Options, bucket: string, signal?: AbortSignal): Promise<void> {
  await check(await send(s3, 'PUT', { bucket, key: '' }, signal ? { signal } : {}), `CREATE s3://${bucket}`);
}

/**
 * @module Signs one Image Builder request with SigV4 (the same signer the AWS SDK uses), so a load
 * tool can replay it for the next 15 minutes.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function signRequest(opts: {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<SignedRequest> {
  const url = new URL(opts.url);
  const signer = new SignatureV4({
    service: 'imagebuilder',
    region: opts.region,
    credentials: opts.credentials,
    sha256: Sha256,
  });
  const body = opts.body ?? '';
  const request = new HttpRequest({
    method: opts.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: opts.path,
    ...(opts.query ? { query: opts.query } : {}),
    headers: {
      host: url.host,
      'content-type': 'application/json',
      ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    },
    body,
  });
  const signed = await signer.sign(request);
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
  return { method: opts.method, path: `${opts.path}${qs}`, headers: signed.headers as Record<string, string>, body };
}

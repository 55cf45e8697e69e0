/** @module Test support: raw `fetch` calls signed with the real @smithy/signature-v4. */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const TEST_KEY = { accessKeyId: 'AKIDINGOTTEST', secretAccessKey: 'ingot-test-secret', accountId: '123456789012' };
export const lookupTestKey = (id: string) => (id === TEST_KEY.accessKeyId ? TEST_KEY : undefined);

export interface RawCall {
  method: string;
  /** Sent exactly as given (may be badly percent-encoded on purpose). */
  path: string;
  /** Raw query string without `?`, sent as is. */
  rawQuery?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  signingDate?: Date;
  secretAccessKey?: string;
}

/** Parses a raw query into the shape the signer wants (lenient: bad escapes stay raw). */
function queryObject(raw: string): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (const part of raw.split('&').filter(Boolean)) {
    const [k = '', v = ''] = part.split(/=(.*)/s);
    const dec = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
    (out[dec(k)] ??= []).push(dec(v));
  }
  return out;
}

export async function signedFetch(endpoint: string, call: RawCall, timeoutMs = 10_000): Promise<Response> {
  const url = new URL(endpoint);
  const body = call.body ?? '';
  const signer = new SignatureV4({
    credentials: { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: call.secretAccessKey ?? TEST_KEY.secretAccessKey },
    region: 'us-east-1', service: 'imagebuilder', sha256: Sha256,
  });
  const request = new HttpRequest({
    method: call.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: call.path,
    query: queryObject(call.rawQuery ?? ''), body,
    headers: { host: url.host, 'content-type': 'application/json', ...call.headers },
  });
  const signed = await signer.sign(request, call.signingDate ? { signingDate: call.signingDate } : {});
  const headers = { ...signed.headers };
  delete headers.host;
  const target = `${endpoint}${call.path}${call.rawQuery ? `?${call.rawQuery}` : ''}`;
  return fetch(target, {
    method: call.method, headers, body: call.method === 'GET' || call.method === 'HEAD' ? undefined : body,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

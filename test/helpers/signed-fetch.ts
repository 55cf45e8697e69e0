/** @module Test support: raw `fetch` calls signed with the real @smithy/signature-v4. */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const TEST_KEY = {
  accessKeyId: 'AKIDINGOTTEST',
  secretAccessKey: 'ingot-test-secret',
  accountId: '123456789012',
};
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

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** node:crypto behind the signer's hash interface (much faster than sha256-js on big bodies). */
class NodeSha256 {
  readonly #hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

/** Parses a raw query into the shape the signer wants (lenient: bad escapes stay raw). */
function queryObject(raw: string): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (const part of raw.split('&').filter(Boolean)) {
    const [k = '', v = ''] = part.split(/=(.*)/s);
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    (out[dec(k)] ??= []).push(dec(v));
  }
  return out;
}

export async function signedFetch(endpoint: string, call: RawCall, timeoutMs = 10_000): Promise<Response> {
  const url = new URL(endpoint);
  const body = call.body ?? '';
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: TEST_KEY.accessKeyId,
      secretAccessKey: call.secretAccessKey ?? TEST_KEY.secretAccessKey,
    },
    region: 'us-east-1',
    service: 'imagebuilder',
    sha256: NodeSha256,
  });
  // Sign the path as fetch will send it (its URL parser percent-encodes characters like `{`, `^`).
  const sentPath = new URL(`${endpoint}${call.path}`).pathname;
  const request = new HttpRequest({
    method: call.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: sentPath,
    query: queryObject(call.rawQuery ?? ''),
    body,
    headers: { host: url.host, 'content-type': 'application/json', ...call.headers },
  });
  const signed = await signer.sign(request, call.signingDate ? { signingDate: call.signingDate } : {});
  const headers = { ...signed.headers };
  delete headers.host;
  const target = `${endpoint}${call.path}${call.rawQuery ? `?${call.rawQuery}` : ''}`;
  return fetch(target, {
    method: call.method,
    headers,
    body: call.method === 'GET' || call.method === 'HEAD' ? undefined : body,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

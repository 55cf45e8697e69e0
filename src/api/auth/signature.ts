/** @module SigV4 signing key derivation (cached per secret/day/region/service) and request signature. */
import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** One-shot (no Hash object per call): hashed on every request, body and canonical request. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

const MAX_CACHED_KEYS = 256;
const keyCache = new Map<string, KeyObject>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, shortDate: string, region: string, service: string): KeyObject {
  const cacheKey = `${shortDate}\n${region}\n${service}\n${secret}`;
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${secret}`, shortDate), region), service), 'aws4_request'));
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

/** The hex signature for a canonical request, with the string that was signed. */
export function computeSignature(params: {
  secret: string;
  amzDate: string;
  region: string;
  service: string;
  canonicalRequest: string;
}): { signature: string; stringToSign: string } {
  const shortDate = params.amzDate.slice(0, 8);
  const scope = `${shortDate}/${params.region}/${params.service}/aws4_request`;
  const key = signingKey(params.secret, shortDate, params.region, params.service);
  const toSign = stringToSign(params.amzDate, scope, params.canonicalRequest);
  return { signature: createHmac('sha256', key).update(toSign, 'utf8').digest('hex'), stringToSign: toSign };
}

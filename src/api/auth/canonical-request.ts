/**
 * @module The SigV4 canonical request, built from the request exactly as it arrived.
 *
 * Follows https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html as the AWS
 * SDKs and botocore implement it for every service but S3: the path is normalised (empty, `.`
 * and `..` segments removed) and URI-encoded once more (so a `%2F` sent in a label is signed
 * as `%252F`), query pairs are decoded, re-encoded and sorted, header values trimmed with inner
 * runs of spaces collapsed.
 */
import { lenientPercentDecode, parseQuery } from '../protocol/query-string.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = '0123456789ABCDEF';

/** RFC 3986 encoding of every byte except the unreserved characters (and `/` when asked). */
export function uriEscape(text: string, keepSlash = false): string {
  if (/^[A-Za-z0-9\-._~]*$/.test(text)) return text;
  if (!/[\ud800-\udfff]/.test(text)) {
    // encodeURIComponent escapes the same bytes the same way, except five it leaves as they are.
    const escaped = encodeURIComponent(text).replace(
      /[!'()*]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    return keepSlash ? escaped.replaceAll('%2F', '/') : escaped;
  }
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (UNRESERVED.test(ch) || (keepSlash && ch === '/')) out += ch;
    else out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return uriEscape(`/${segments.join('/')}${trailing}`, true);
}

export function canonicalQuery(rawQuery: string): string {
  return parseQuery(rawQuery, lenientPercentDecode)
    .filter((p) => p.key.toLowerCase() !== 'x-amz-signature')
    .map((p) => [uriEscape(p.key), uriEscape(p.value)] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalHeaderValue(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

export interface CanonicalInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Lowercase names of the signed headers, in the order the Authorization header lists them. */
  signedHeaders: string[];
  header: (name: string) => string | undefined;
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalInput): string {
  const names = [...input.signedHeaders].sort();
  const headerLines = names.map((name) => `${name}:${canonicalHeaderValue(input.header(name) ?? '')}`);
  return [
    input.method,
    canonicalPath(input.rawPath),
    canonicalQuery(input.rawQuery),
    ...headerLines,
    '',
    names.join(';'),
    input.payloadHash,
  ].join('\n');
}

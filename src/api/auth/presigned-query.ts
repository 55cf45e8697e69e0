/**
 * @module Presigned (query-string) SigV4: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
 * `X-Amz-Expires`, `X-Amz-SignedHeaders` and `X-Amz-Signature` in the query instead of an
 * Authorization header, as `SignatureV4.presign`, the console and `curl --aws-sigv4` users send.
 */
import { lenientPercentDecode, parseQuery } from '../protocol/query-string.ts';
import { ProtocolError } from '../protocol/wire-errors.ts';
import { type ParsedAuthorization, parseSignatureFields } from './authorization-header.ts';
import { ALGORITHM } from './signature.ts';

/** AWS's longest presigned validity: 7 days. */
export const MAX_EXPIRES_SECONDS = 604_800;

export interface PresignedQuery {
  auth: ParsedAuthorization;
  amzDate: string;
  expiresSeconds: number;
}

/** The presigned signature of the query, or undefined when the query carries none. */
export function parsePresignedQuery(rawQuery: string): PresignedQuery | undefined {
  const params = new Map<string, string>();
  for (const p of parseQuery(rawQuery, lenientPercentDecode))
    if (p.key.toLowerCase().startsWith('x-amz-')) params.set(p.key, p.value);
  const algorithm = params.get('X-Amz-Algorithm');
  if (algorithm === undefined) return undefined;
  const incomplete = (message: string) => new ProtocolError('IncompleteSignatureException', message);
  if (algorithm !== ALGORITHM)
    throw incomplete(`Unsupported AWS 'algorithm': '${algorithm.slice(0, 64)}'. Only ${ALGORITHM} is supported.`);
  const fields = new Map<string, string>();
  for (const [name, key] of [
    ['Credential', 'X-Amz-Credential'],
    ['SignedHeaders', 'X-Amz-SignedHeaders'],
    ['Signature', 'X-Amz-Signature'],
  ] as const) {
    const value = params.get(key);
    if (value === undefined)
      throw incomplete(`AWS query-string parameters must include '${key}'. Re-examine the query-string parameters.`);
    fields.set(name, value);
  }
  const expires = params.get('X-Amz-Expires') ?? '';
  const expiresSeconds = Number(expires);
  if (!/^[0-9]{1,6}$/.test(expires) || expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES_SECONDS)
    throw incomplete(
      `X-Amz-Expires must be a number of seconds from 1 to ${MAX_EXPIRES_SECONDS} (7 days), not '${expires.slice(0, 32)}'.`,
    );
  const auth = parseSignatureFields(fields, `X-Amz-Credential=${fields.get('Credential')}`);
  return { auth, amzDate: params.get('X-Amz-Date') ?? '', expiresSeconds };
}

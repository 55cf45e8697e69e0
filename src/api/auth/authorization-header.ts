/** @module Parses `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
import { regionProblem } from '../../arn/region.ts';
import { ProtocolError } from '../protocol/wire-errors.ts';
import { ALGORITHM } from './signature.ts';

export interface ParsedAuthorization {
  accessKeyId: string;
  /** Credential scope parts: date (YYYYMMDD), region, service, terminator. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function incomplete(message: string): ProtocolError {
  return new ProtocolError('IncompleteSignatureException', message);
}

export function parseAuthorization(header: string): ParsedAuthorization {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm': '${algorithm.slice(0, 64)}'. Only ${ALGORITHM} is supported.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return parseSignatureFields(fields, header);
}

/** The Credential, SignedHeaders and Signature of an Authorization header or a presigned query, checked. */
export function parseSignatureFields(fields: ReadonlyMap<string, string>, shown: string): ParsedAuthorization {
  const header = shown;
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  for (const [name, value] of [
    ['Credential', credential],
    ['SignedHeaders', signedHeaders],
    ['Signature', signature],
  ] as const) {
    if (!value)
      throw incomplete(`Authorization header requires '${name}' parameter. Authorization=${header.slice(0, 256)}`);
  }
  const scope = (credential ?? '').split('/');
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = scope;
  if (scope.length !== 5 || !accessKeyId || !/^\d{8}$/.test(scopeDate) || !region || terminator !== 'aws4_request') {
    throw incomplete(
      `Credential should be scoped to a valid region, not '${region}'. Credential=${(credential ?? '').slice(0, 256)}`,
    );
  }
  const problem = regionProblem(region);
  if (problem) throw incomplete(`Credential should be scoped to a valid region: ${problem}.`);
  if (!/^[0-9a-f]{64}$/.test(signature ?? ''))
    throw incomplete('Signature must be 64 lowercase hexadecimal characters.');
  const names = (signedHeaders ?? '').split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase()))
    throw incomplete('SignedHeaders must be lowercase header names separated by semicolons.');
  if (!names.includes('host'))
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  return { accessKeyId, scopeDate, region, service, signedHeaders: names, signature: signature ?? '' };
}

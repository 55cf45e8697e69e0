/** @module Verifies a request's SigV4 Authorization header; answers with AWS's own error types and messages. */
import { timingSafeEqual } from 'node:crypto';
import { IngotError } from '../../errors/ingot-error.ts';
import { parseAuthorization } from './authorization-header.ts';
import { parsePresignedQuery } from './presigned-query.ts';
import { canonicalRequest } from './canonical-request.ts';
import { computeSignature, sha256Hex } from './signature.ts';

export const SIGNING_SERVICE = 'imagebuilder';
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SecretRecord {
  secretAccessKey: string;
  accountId: string;
}

export type LookupSecret = (accessKeyId: string) => SecretRecord | undefined | Promise<SecretRecord | undefined>;

export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

export interface Identity {
  accessKeyId: string;
  accountId: string;
  /** The region the request was signed for. */
  region: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** `20260125T061500Z` → Date, or undefined when malformed. */
function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function checkClockSkew(amzDate: string, signedAt: Date, now: Date): void {
  const skew = signedAt.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS) {
    const limit = amzDateOf(new Date(now.getTime() - MAX_SKEW_MS));
    throw new IngotError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${limit} (${amzDateOf(now)} - 15 min.)`,
    );
  }
  if (skew > MAX_SKEW_MS) {
    const limit = amzDateOf(new Date(now.getTime() + MAX_SKEW_MS));
    throw new IngotError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${limit} (${amzDateOf(now)} + 15 min.)`,
    );
  }
}

/** A presigned request is good from its date (give or take the clock skew) until X-Amz-Expires seconds later. */
function checkPresignedValidity(amzDate: string, signedAt: Date, expiresSeconds: number, now: Date): void {
  if (signedAt.getTime() - now.getTime() > MAX_SKEW_MS) checkClockSkew(amzDate, signedAt, now);
  if (now.getTime() > signedAt.getTime() + expiresSeconds * 1000)
    throw new IngotError(
      'InvalidSignatureException',
      `Signature expired: the presigned request was signed at ${amzDate} and valid for ${expiresSeconds} s (now ${amzDateOf(now)}).`,
    );
}

/** Checks the signature (Authorization header or presigned query) and returns who signed it, or throws the 403 AWS would answer. */
export async function verifySigV4(
  req: SignedRequest,
  lookupSecret: LookupSecret,
  now: Date = new Date(),
  /** The service the request must be signed for (`logs` for the build-log API). */
  service: string = SIGNING_SERVICE,
): Promise<Identity> {
  const authorization = req.header('authorization');
  const presigned = authorization === undefined ? parsePresignedQuery(req.rawQuery) : undefined;
  if (!authorization && !presigned)
    throw new IngotError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = presigned ? presigned.auth : parseAuthorization(authorization!);
  const record = await lookupSecret(auth.accessKeyId);
  if (!record)
    throw new IngotError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (auth.service !== service) {
    throw new IngotError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  }
  const amzDate = presigned ? presigned.amzDate : (req.header('x-amz-date') ?? '');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt)
    throw new IngotError(
      'InvalidSignatureException',
      "Authorization requires a valid 'X-Amz-Date' header in the form YYYYMMDD'T'HHMMSS'Z'.",
    );
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    throw new IngotError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  if (presigned) checkPresignedValidity(amzDate, signedAt, presigned.expiresSeconds, now);
  else checkClockSkew(amzDate, signedAt, now);
  const bodyHash = sha256Hex(req.body);
  const declaredHash = req.header('x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    throw new IngotError(
      'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const canonical = canonicalRequest({
    method: req.method,
    rawPath: req.rawPath,
    rawQuery: req.rawQuery,
    signedHeaders: auth.signedHeaders,
    header: req.header,
    payloadHash: bodyHash,
  });
  const expected = computeSignature({
    secret: record.secretAccessKey,
    amzDate,
    region: auth.region,
    service: auth.service,
    canonicalRequest: canonical,
  });
  if (!timingSafeEqual(Buffer.from(expected.signature), Buffer.from(auth.signature))) {
    // Like AWS, say what was expected: both strings are computable by the client, neither is secret.
    const detail =
      `\n\nThe Canonical String for this request should have been\n'${canonical}'\n\n` +
      `The String-to-Sign should have been\n'${expected.stringToSign}'\n`;
    throw new IngotError('InvalidSignatureException', SIGNATURE_MISMATCH + detail, {
      data: { canonicalRequest: canonical },
    });
  }
  return { accessKeyId: auth.accessKeyId, accountId: record.accountId, region: auth.region };
}

/** @module Renders errors as the rest-json wire form the AWS SDKs and botocore parse. */
import { IngotError } from '../../errors/ingot-error.ts';

/**
 * Front-end error types that are not (yet) in src/errors' AWS_ERROR_STATUS; they only ever come
 * from the protocol layer itself (malformed Authorization header, oversized body).
 */
export const PROTOCOL_ERROR_STATUS = {
  IncompleteSignatureException: 400,
  RequestEntityTooLargeException: 413,
} as const;

export class ProtocolError extends Error {
  readonly type: keyof typeof PROTOCOL_ERROR_STATUS;

  constructor(type: keyof typeof PROTOCOL_ERROR_STATUS, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.type = type;
  }

  get status(): number {
    return PROTOCOL_ERROR_STATUS[this.type];
  }
}

export interface WireError {
  type: string;
  status: number;
  message: string;
}

/** The wire error for anything thrown; unknown errors become a 500 with no detail. */
/** True when `err` (or an error it wraps) is the disk being full: ENOSPC, or SQLite's SQLITE_FULL (13). */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const x = e as Error & { code?: string; errcode?: number };
    if (x.code === 'ENOSPC' || (x.errcode !== undefined && (x.errcode & 0xff) === 13)) return true;
    if (/database or disk is full|no space left on device/i.test(x.message)) return true;
  }
  return false;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof IngotError) return { type: err.awsType, status: err.httpStatus, message: err.message };
  if (err instanceof ProtocolError) return { type: err.type, status: err.status, message: err.message };
  if (isDiskFull(err))
    return {
      type: 'ServiceUnavailableException',
      status: 503,
      message:
        "Ingot's data directory (INGOT_HOME) is full: no space left on the device for this change. Free space there and retry.",
    };
  return { type: 'ServiceException', status: 500, message: 'Internal service error' };
}

/** `x-amzn-ErrorType: <Type>` + `{"message": "..."}`: what both the JS SDK and botocore read. */
export function errorResponse(error: WireError, requestId: string): Response {
  return new Response(JSON.stringify({ message: error.message }), {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': requestId,
    },
  });
}

/** A 200 (or other) JSON response carrying the request id header. */
export function jsonResponse(
  status: number,
  body: unknown,
  requestId: string,
  extraHeaders: [string, string][] = [],
): Response {
  // A plain object (not an array or Headers): @hono/node-server then writes it without building a
  // fetch Headers object per response.
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
  for (const [name, value] of extraHeaders) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return new Response(JSON.stringify(body), { status, headers });
}

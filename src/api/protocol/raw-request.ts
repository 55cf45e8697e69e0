/** @module Reads the request as it arrived (raw path and query, headers, size-limited body) from Hono. */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { IngotError } from '../../errors/ingot-error.ts';
import { ProtocolError } from './wire-errors.ts';
import { splitTarget } from './query-string.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RawRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded), which is what SigV4 signs. */
  rawPath: string;
  rawQuery: string;
  header: (name: string) => string | undefined;
  body: Uint8Array;
  sourceIp: string;
}

function tooLarge(max: number): ProtocolError {
  return new ProtocolError('RequestEntityTooLargeException', `Request body is larger than the maximum of ${max} bytes`);
}

async function readBody(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((err: unknown) => {
      throw new IngotError('SerializationException', 'Could not read the request body', { cause: err });
    });
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? (chunks[0] ?? new Uint8Array(0)) : Buffer.concat(chunks, total);
}

/** The node IncomingMessage behind the request when served by @hono/node-server. */
function incomingOf(c: Context): IncomingMessage | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return (env as { incoming?: IncomingMessage }).incoming;
}

/** The peer address ('' when not served over a node socket, e.g. app.request() in tests). */
export function sourceIpOf(c: Context): string {
  return incomingOf(c)?.socket.remoteAddress ?? '';
}

export async function readRawRequest(c: Context, maxBodyBytes: number): Promise<RawRequest> {
  const incoming = incomingOf(c);
  const target = incoming?.url ?? c.req.url;
  const { rawPath, rawQuery } = splitTarget(target);
  const headers = c.req.raw.headers;
  const header = (name: string): string | undefined => headers.get(name) ?? undefined;
  const request: RawRequest = {
    method: c.req.method, rawPath, rawQuery, header, body: new Uint8Array(0),
    sourceIp: sourceIpOf(c),
  };
  const declared = Number(header('content-length') ?? '0');
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') request.body = await readBody(c.req.raw.body, maxBodyBytes);
  return request;
}

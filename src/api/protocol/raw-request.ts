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
    method: c.req.method,
    rawPath,
    rawQuery,
    header,
    body: new Uint8Array(0),
    sourceIp: sourceIpOf(c),
  };
  const declared = Number(header('content-length') ?? '0');
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    // Served by node: read the IncomingMessage itself. Going through `c.req.raw.body` makes
    // @hono/node-server build a full fetch Request and a web stream around it for every request.
    request.body =
      incoming && !incoming.readableDidRead
        ? await readIncoming(incoming, maxBodyBytes)
        : await readBody(c.req.raw.body, maxBodyBytes);
  }
  return request;
}

/** The body of a node request, refused beyond `max` bytes (the rest is discarded unread). */
function readIncoming(incoming: IncomingMessage, max: number): Promise<Uint8Array> {
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      total += bytes.byteLength;
      if (total > max) {
        done();
        incoming.resume(); // drain what is left so the 413 can still be answered
        reject(tooLarge(max));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (err: unknown): void => {
      done();
      reject(new IngotError('SerializationException', 'Could not read the request body', { cause: err }));
    };
    const onClose = (): void => {
      if (!incoming.readableEnded) onError(new Error('the connection closed before the body ended'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

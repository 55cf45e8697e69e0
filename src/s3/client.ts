/**
 * @module The one S3 client of Ingot (`@aws-sdk/client-s3`): built from an endpoint, credentials,
 * region and addressing style, with every failure turned into an `S3Failure` that names the request.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { IngotError } from '../errors/ingot-error.ts';

/** Where and how to reach an S3-compatible service (a site's `s3` settings, the toe executor's `s3` option). */
export interface S3Endpoint {
  /** `http(s)://HOST[:PORT]` of the service. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Signing region (default us-east-1). */
  region?: string;
  /** `ENDPOINT/BUCKET/KEY` requests (the default: every S3-compatible server takes them) or, when false, `BUCKET.HOST/KEY`. */
  pathStyle?: boolean;
  /**
   * How long a request may wait on the service, connecting or between two bytes of its answer (default
   * `DEFAULT_S3_TIMEOUT_MS`): a service that accepts and never answers fails the request, never hangs it.
   * `CompleteMultipartUpload` waits longer (`S3_COMPLETE_TIMEOUT_MS`): the service joins the parts first.
   */
  timeoutMs?: number;
}

/** 60 s without a byte from the service fails a request (each of its attempts). */
export const DEFAULT_S3_TIMEOUT_MS = 60_000;

/**
 * The idle limit of a `CompleteMultipartUpload`: S3 documents that joining the parts can take minutes,
 * and a compatible server (MinIO, Ceph, s3rver) may send nothing at all while it joins a big disk's parts.
 */
export const S3_COMPLETE_TIMEOUT_MS = 15 * 60_000;

/** `POST /bucket/key?uploadId=…`: the one request that completes a multipart upload. */
export function isCompleteMultipartUpload(req: { method: string; query?: Record<string, unknown> }): boolean {
  return req.method === 'POST' && req.query?.uploadId !== undefined && req.query.uploads === undefined;
}

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HttpHandlerOptions = Parameters<NodeHttpHandler['handle']>[1];

/**
 * Sends every request with the endpoint's idle limit, except `CompleteMultipartUpload`, which waits up
 * to `S3_COMPLETE_TIMEOUT_MS` (or the endpoint's limit when that is longer) for the service to answer.
 */
class S3RequestHandler extends NodeHttpHandler {
  readonly #completing: NodeHttpHandler;

  constructor(timeoutMs: number) {
    super({ connectionTimeout: timeoutMs, socketTimeout: timeoutMs });
    const long = Math.max(timeoutMs, S3_COMPLETE_TIMEOUT_MS);
    this.#completing = new NodeHttpHandler({ connectionTimeout: timeoutMs, socketTimeout: long });
  }

  override handle(request: HttpRequest, options?: HttpHandlerOptions) {
    return isCompleteMultipartUpload(request)
      ? this.#completing.handle(request, options)
      : super.handle(request, options);
  }

  override destroy(): void {
    this.#completing.destroy();
    super.destroy();
  }
}

/** `HTTP 403 SignatureDoesNotMatch` for an answer from S3, else the error's own message. */
export function describeS3Error(err: unknown): { status: number | undefined; code: string; detail: string } {
  const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
  const code = err instanceof Error ? ((err as { Code?: string }).Code ?? err.name) : 'Error';
  const detail =
    status !== undefined
      ? `HTTP ${status}${code && code !== 'Unknown' ? ` ${code}` : ''}`
      : err instanceof Error
        ? err.message
        : String(err);
  return { status, code, detail };
}

/** A failed S3 request: `GET s3://bucket/key: HTTP 403 SignatureDoesNotMatch`. */
export class S3Failure extends IngotError {
  /** HTTP status of the answer (undefined when no answer came). */
  readonly status: number | undefined;
  /** S3's error code (`NoSuchKey`, `AccessDenied`...) or the network error's name (`code` is Ingot's neutral one). */
  readonly s3Code: string;

  constructor(what: string, err: unknown) {
    const { status, code, detail } = describeS3Error(err);
    super('internal', `${what}: ${detail}`, { cause: err });
    this.name = 'S3Failure';
    this.status = status;
    this.s3Code = code;
  }
}

export function openS3Client(e: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: e.endpoint,
    region: e.region ?? 'us-east-1',
    forcePathStyle: e.pathStyle ?? true,
    credentials: {
      accessKeyId: e.accessKeyId,
      secretAccessKey: e.secretAccessKey,
      ...(e.sessionToken ? { sessionToken: e.sessionToken } : {}),
    },
    // Checksums only where S3 requires them: S3-compatible servers do not all take the
    // aws-chunked trailers the SDK would otherwise add to every upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
    requestHandler: new S3RequestHandler(e.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS),
  });
}

/** Runs one request; failures become an `S3Failure` naming `what`. */
export async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof S3Failure ? err : new S3Failure(what, err);
  }
}

/**
 * @module The one S3 client of Ingot (`@aws-sdk/client-s3`): built from an endpoint, credentials,
 * region and addressing style, with every failure turned into an `S3Failure` that names the request.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
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
   */
  timeoutMs?: number;
}

/** 60 s without a byte from the service fails a request (each of its attempts). */
export const DEFAULT_S3_TIMEOUT_MS = 60_000;

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
    requestHandler: {
      connectionTimeout: e.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS,
      socketTimeout: e.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS,
    },
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

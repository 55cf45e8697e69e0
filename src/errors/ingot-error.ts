/**
 * @module One error base for all of Ingot, rendered three ways: as an Image Builder JSON error
 * response (API), as a one-line CLI message, and (for anything unknown) as a 500 with no stack.
 */

import {
  AWS_ERROR_STATUS,
  isErrorCode,
  AWS_TYPE_OF_CODE,
  type AwsErrorType,
  CODE_OF_AWS_TYPE,
  type ErrorCode,
  isAwsErrorType,
} from './codes.ts';

export { AWS_ERROR_STATUS, type AwsErrorType, type ErrorCode, isAwsErrorType, isErrorCode };

export interface IngotErrorOptions {
  /** Longer, user-facing explanation (shown by the CLI under the message). */
  description?: string;
  cause?: unknown;
  /** Extra structured facts (document path, line, column, step name...). */
  data?: Record<string, unknown>;
}

export class IngotError extends Error {
  /** What went wrong, in Ingot's own words; the API maps it to an AWS error type at the edge. */
  readonly code: ErrorCode;
  /**
   * The AWS error type the API answers with: the one given to the constructor (API-facing code
   * that must answer a specific type, e.g. InvalidPaginationTokenException), else the code's default.
   */
  readonly awsType: AwsErrorType;
  readonly description: string | undefined;
  readonly data: Record<string, unknown>;

  /** `kind` is a neutral code (build-side code) or, at the API's edge, a specific AWS error type. */
  constructor(kind: ErrorCode | AwsErrorType, message: string, options: IngotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngotError';
    this.code = isAwsErrorType(kind) ? CODE_OF_AWS_TYPE[kind] : kind;
    this.awsType = isAwsErrorType(kind) ? kind : AWS_TYPE_OF_CODE[kind];
    this.description = options.description;
    this.data = options.data ?? {};
  }

  get httpStatus(): number {
    return AWS_ERROR_STATUS[this.awsType];
  }

  /** The body AWS's rest-json protocol sends for an error; the SDKs read `message` and the type header. */
  toResponseBody(): { message: string } {
    return { message: this.message };
  }

  /** One line for a terminal. */
  toCliLine(): string {
    return this.description
      ? `${this.awsType}: ${this.message}\n  ${this.description}`
      : `${this.awsType}: ${this.message}`;
  }
}

/** Shorthands for the errors services throw most. */
export const notFound = (what: string): IngotError => new IngotError('ResourceNotFoundException', what);
export const invalidRequest = (message: string): IngotError => new IngotError('InvalidRequestException', message);
export const validation = (message: string, data?: Record<string, unknown>): IngotError =>
  new IngotError('ValidationException', message, data ? { data } : {});
export const inUse = (message: string): IngotError => new IngotError('ResourceInUseException', message);

/** Wraps anything thrown into an IngotError (unknown errors become ServiceException, stack kept as cause). */
export function toIngotError(err: unknown): IngotError {
  if (err instanceof IngotError) return err;
  return new IngotError('ServiceException', 'Internal service error', { cause: err });
}

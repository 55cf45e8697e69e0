/**
 * @module One error base for all of Ingot, rendered three ways: as an Image Builder JSON error
 * response (API), as a one-line CLI message, and (for anything unknown) as a 500 with no stack.
 */

/** Error types of the Image Builder service model, with their HTTP status codes. */
export const AWS_ERROR_STATUS = {
  AccessDeniedException: 403,
  CallRateLimitExceededException: 429,
  ClientException: 400,
  DryRunOperationException: 412,
  ForbiddenException: 403,
  IdempotentParameterMismatchException: 400,
  InvalidPaginationTokenException: 400,
  InvalidParameterCombinationException: 400,
  InvalidParameterException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestException: 400,
  InvalidVersionNumberException: 400,
  ResourceAlreadyExistsException: 400,
  ResourceDependencyException: 400,
  ResourceInUseException: 400,
  ResourceNotFoundException: 404,
  ServiceException: 500,
  ServiceQuotaExceededException: 402,
  ServiceUnavailableException: 503,
  TooManyRequestsException: 429,
  // Not in the model's shape list, but what AWS's front end answers for these cases.
  ValidationException: 400,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  UnknownOperationException: 404,
  NotImplementedException: 501,
  SerializationException: 400,
  IncompleteSignatureException: 400,
  RequestEntityTooLargeException: 413,
} as const;

export type AwsErrorType = keyof typeof AWS_ERROR_STATUS;

export interface IngotErrorOptions {
  /** Longer, user-facing explanation (shown by the CLI under the message). */
  description?: string;
  cause?: unknown;
  /** Extra structured facts (document path, line, column, step name...). */
  data?: Record<string, unknown>;
}

export class IngotError extends Error {
  readonly awsType: AwsErrorType;
  readonly description: string | undefined;
  readonly data: Record<string, unknown>;

  constructor(awsType: AwsErrorType, message: string, options: IngotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngotError';
    this.awsType = awsType;
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

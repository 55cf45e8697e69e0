/**
 * @module Ingot's neutral error codes and their AWS error types: build-side code throws a code
 * (`invalid-input`, `needs-root`...), the API answers with the AWS type and HTTP status mapped here.
 */

/** What went wrong, independent of any API. */
export const ERROR_CODES = {
  /** Bad input the user can fix (a value, a document, a file). */
  'invalid-input': 'InvalidParameterValueException',
  /** Ingot's own configuration (file or environment) is wrong: the operator fixes it. */
  'invalid-config': 'ValidationException',
  /** Input whose shape or syntax is wrong: a document, file, layer entry or option that does not parse. */
  malformed: 'ValidationException',
  /** A malformed or contradictory request as a whole. */
  'invalid-request': 'InvalidRequestException',
  'not-found': 'ResourceNotFoundException',
  /** Something by that name or token already exists. */
  conflict: 'ResourceAlreadyExistsException',
  /** The resource is used by another one or is busy. */
  'in-use': 'ResourceInUseException',
  /** Ingot cannot do this (yet). */
  unsupported: 'NotImplementedException',
  /** The operation needs root (namespaces, mounts, cgroups). */
  'needs-root': 'AccessDeniedException',
  /** Refused: no or wrong credentials, or another account's data. */
  denied: 'AccessDeniedException',
  /** A service or tool Ingot depends on is missing or down; try later. */
  unavailable: 'ServiceUnavailableException',
  /** A bug or an unexpected failure inside Ingot. */
  internal: 'ServiceException',
} as const satisfies Record<string, AwsErrorType>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The API's mapping (read by src/api through `IngotError.awsType` and by the audit log). */
export const AWS_TYPE_OF_CODE: Record<ErrorCode, AwsErrorType> = ERROR_CODES;

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

export const isErrorCode = (kind: string): kind is ErrorCode => Object.hasOwn(ERROR_CODES, kind);

export const isAwsErrorType = (kind: string): kind is AwsErrorType => Object.hasOwn(AWS_ERROR_STATUS, kind);

/** The neutral code of an AWS type given at the API's edge. */
export const CODE_OF_AWS_TYPE: Record<AwsErrorType, ErrorCode> = {
  AccessDeniedException: 'denied',
  CallRateLimitExceededException: 'unavailable',
  ClientException: 'invalid-request',
  DryRunOperationException: 'invalid-request',
  ForbiddenException: 'denied',
  IdempotentParameterMismatchException: 'conflict',
  InvalidPaginationTokenException: 'invalid-input',
  InvalidParameterCombinationException: 'invalid-input',
  InvalidParameterException: 'invalid-input',
  InvalidParameterValueException: 'invalid-input',
  InvalidRequestException: 'invalid-request',
  InvalidVersionNumberException: 'invalid-input',
  ResourceAlreadyExistsException: 'conflict',
  ResourceDependencyException: 'in-use',
  ResourceInUseException: 'in-use',
  ResourceNotFoundException: 'not-found',
  ServiceException: 'internal',
  ServiceQuotaExceededException: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  TooManyRequestsException: 'unavailable',
  ValidationException: 'invalid-input',
  UnrecognizedClientException: 'denied',
  InvalidSignatureException: 'denied',
  MissingAuthenticationTokenException: 'denied',
  UnknownOperationException: 'not-found',
  NotImplementedException: 'unsupported',
  SerializationException: 'invalid-request',
  IncompleteSignatureException: 'invalid-request',
  RequestEntityTooLargeException: 'invalid-request',
};

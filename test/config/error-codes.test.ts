/** @module Neutral error codes inside, AWS error types at the API's edge, one line in the CLI. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWireError } from '../../src/api/protocol/wire-errors.ts';
import { AWS_ERROR_STATUS, ERROR_CODES } from '../../src/errors/codes.ts';
import { IngotError } from '../../src/errors/ingot-error.ts';

test('every neutral code maps to a known AWS error type', () => {
  for (const [code, aws] of Object.entries(ERROR_CODES)) assert.ok(aws in AWS_ERROR_STATUS, code);
});

test('a neutral code becomes its AWS type and status on the wire; an edge AWS type is kept as given', () => {
  assert.deepEqual(toWireError(new IngotError('needs-root', 'compliance scans need root')), {
    type: 'AccessDeniedException',
    status: 403,
    message: 'compliance scans need root',
  });
  assert.equal(toWireError(new IngotError('invalid-input', 'x')).type, 'InvalidParameterValueException');
  assert.equal(toWireError(new IngotError('malformed', 'x')).status, 400);
  assert.equal(toWireError(new IngotError('internal', 'x')).status, 500);
  const edge = new IngotError('InvalidPaginationTokenException', 'bad token');
  assert.equal(edge.code, 'invalid-input');
  assert.equal(toWireError(edge).type, 'InvalidPaginationTokenException');
});

test('the CLI line is one line naming the type', () => {
  assert.equal(new IngotError('not-found', 'no image x').toCliLine(), 'ResourceNotFoundException: no image x');
});

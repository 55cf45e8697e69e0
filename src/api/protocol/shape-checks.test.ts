/** @module Tests the compiled shape checks and their AWS-style messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngotError } from '../../errors/ingot-error.ts';
import { loadServiceModel } from '../../model/service-model.ts';
import { ShapeChecks, validateShape } from './shape-checks.ts';

const checks = new ShapeChecks(loadServiceModel());

function messageOf(shape: string, value: unknown): string {
  try {
    validateShape(checks, shape, value);
  } catch (err) {
    assert.ok(err instanceof IngotError);
    assert.equal(err.awsType, 'InvalidParameterValueException');
    return err.message;
  }
  return '';
}

test('a valid input passes and is returned with timestamps as Dates', () => {
  const input = {
    name: 'web',
    semanticVersion: '1.2.3',
    platform: 'Linux',
    clientToken: 't',
    tags: { team: 'a' },
    data: 'x',
  };
  assert.deepEqual(validateShape(checks, 'CreateComponentRequest', input), input);
  const state = validateShape(checks, 'StartResourceStateUpdateRequest', {
    resourceArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1',
    state: { status: 'DEPRECATED' },
    clientToken: 't',
    updateAt: 1767225600,
  }) as { updateAt: Date };
  assert.equal(state.updateAt.toISOString(), '2026-01-01T00:00:00.000Z');
});

test('messages name the field path and the rule, as AWS words them', () => {
  assert.equal(
    messageOf('CreateComponentRequest', { name: 'web', semanticVersion: '1.2.3', platform: 'Linux' }),
    "The value supplied for parameter 'clientToken' is not valid. 1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: Member must not be null",
  );
  assert.match(
    messageOf('CreateComponentRequest', {
      name: 'web',
      semanticVersion: '1.2.3',
      platform: 'Plan9',
      clientToken: 't',
      extra: 1,
    }),
    /^The value supplied for parameter 'platform' is not valid\. 2 validation errors detected: Value 'Plan9' at 'platform' failed to satisfy constraint: Member must satisfy enum value set: \[Windows, Linux, macOS\]; Value '1' at 'extra' failed to satisfy constraint: Member must not be present/,
  );
  assert.match(
    messageOf('ListComponentsRequest', { maxResults: 26 }),
    /Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25/,
  );
  assert.match(
    messageOf('ListComponentsRequest', { filters: [{ name: 'name', values: [] }] }),
    /at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1/,
  );
  assert.match(
    messageOf('ListComponentsRequest', { maxResults: '5' }),
    /Value '5' at 'maxResults' failed to satisfy constraint: Member must be of type integer/,
  );
  assert.match(
    messageOf('TagResourceRequest', {
      resourceArn: 'arn:aws:imagebuilder:us-east-1:123456789012:image/x',
      tags: { 'aws:x': 'v' },
    }),
    /Value 'aws:x' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern/,
  );
  assert.match(messageOf('CreateComponentRequest', 'nope'), /Member must be a structure \(CreateComponentRequest\)/);
});

test('a type error is not reported twice as "must not be null"', () => {
  const message = messageOf('GetComponentRequest', { componentBuildVersionArn: 5 });
  assert.equal(
    message,
    "The value supplied for parameter 'componentBuildVersionArn' is not valid. 1 validation error detected: Value '5' at 'componentBuildVersionArn' failed to satisfy constraint: Member must be of type string",
  );
});

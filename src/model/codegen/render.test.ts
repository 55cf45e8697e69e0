/** @module Checks that the committed generated model files are exactly what the generator produces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderGeneratedFiles } from './render.ts';
import { loadServiceModel } from '../service-model.ts';
import { OPERATIONS, OPERATION_NAMES } from '../generated/operations.ts';

test('running the generator reproduces the committed files byte for byte', () => {
  for (const file of renderGeneratedFiles(loadServiceModel())) {
    const committed = readFileSync(file.path, 'utf8');
    assert.ok(committed === file.text, `${file.path} is stale: run npm run gen:model`);
    assert.match(committed, /^\/\/ DO NOT EDIT/);
  }
});

test('the operation table covers the whole model with its HTTP bindings', () => {
  const model = loadServiceModel();
  assert.equal(OPERATION_NAMES.length, 77);
  assert.deepEqual([...OPERATION_NAMES].sort(), Object.keys(model.operations).sort());
  assert.equal(OPERATIONS.GetComponent.method, 'GET');
  assert.deepEqual(OPERATIONS.GetComponent.inputMembers.componentBuildVersionArn, {
    location: 'querystring',
    locationName: 'componentBuildVersionArn',
  });
  assert.equal(OPERATIONS.TagResource.requestUri, '/tags/{resourceArn}');
  assert.equal(OPERATIONS.UntagResource.inputMembers.resourceArn.location, 'uri');
  assert.equal(OPERATIONS.UntagResource.inputMembers.tagKeys.location, 'querystring');
  assert.equal(OPERATIONS.CreateComponent.inputMembers.semanticVersion.location, 'body');
});

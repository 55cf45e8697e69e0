/** @module Tests of ARN parsing and formatting. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatArn, parseArn, tryParseArn } from './arn.ts';

test('ARNs round-trip in AWS form, names lower-cased with hyphens', () => {
  const arn = formatArn({
    region: 'us-east-1',
    account: '123456789012',
    type: 'component',
    name: 'My Component',
    version: '1.0.0',
    build: 1,
  });
  assert.equal(arn, 'arn:aws:imagebuilder:us-east-1:123456789012:component/my-component/1.0.0/1');
  assert.deepEqual(tryParseArn(arn), {
    partition: 'aws',
    region: 'us-east-1',
    account: '123456789012',
    type: 'component',
    name: 'my-component',
    version: '1.0.0',
    build: 1,
  });
  assert.equal(tryParseArn('arn:aws:imagebuilder:us-west-2:aws:image/debian-12-x86/x.x.x')?.account, 'aws');
});

test('an ARN of the wrong type is refused with the field name', () => {
  assert.throws(
    () => parseArn('arn:aws:imagebuilder:us-east-1:123456789012:image/a/1.0.0/1', 'imageRecipeArn', 'image-recipe'),
    /imageRecipeArn.*image-recipe/,
  );
  assert.throws(() => parseArn('not-an-arn', 'x'), /not a valid Image Builder ARN/);
});

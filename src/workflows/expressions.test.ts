/** @module Tests of workflow expressions: JSONPath reads, `.$` inputs, `{{ }}` interpolation, conditions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateCondition, interpolate, readPath, resolveInputs, type WorkflowScope } from './expressions.ts';

const scope: WorkflowScope = {
  parameters: { count: 3, name: 'web', flag: true },
  stepOutputs: { Launch: { instanceId: 'i-1', list: ['a', 'b'] } },
  workflowOutputs: { ImageId: 'arn:img' },
  imagebuilder: { imageType: 'AMI', platform: 'Linux' },
};

test('JSONPath reads parameters, step outputs (with an index), workflow outputs and system variables', () => {
  assert.equal(readPath(scope, '$.stepOutputs.Launch.instanceId'), 'i-1');
  assert.equal(readPath(scope, '$.stepOutputs.Launch.list[1]'), 'b');
  assert.equal(readPath(scope, '$.workflowOutputs.ImageId'), 'arn:img');
  assert.equal(readPath(scope, '$.imagebuilder.platform'), 'Linux');
  assert.equal(readPath(scope, '$.stepOutputs.Nope.x'), undefined);
});

test('inputs: `key.$` takes the value at its path, strings are interpolated, nested values too', () => {
  const got = resolveInputs(
    {
      'instanceId.$': '$.stepOutputs.Launch.instanceId',
      message: 'build {{ $.parameters.name }} x{{ $.parameters.count }} on {{$.imagebuilder.imageType}}',
      nested: { list: ['{{ $.parameters.flag }}'] },
      literal: 5,
    },
    scope,
  );
  assert.deepEqual(got, { instanceId: 'i-1', message: 'build web x3 on AMI', nested: { list: ['true'] }, literal: 5 });
  assert.throws(() => resolveInputs({ 'x.$': '$.stepOutputs.Gone.id' }, scope), /has no value/);
  assert.throws(() => interpolate('{{ $.parameters.missing }}', scope), /has no value/);
});

test('conditions: comparators, and, or, not', () => {
  const is = (c: unknown) => evaluateCondition(c, scope);
  assert.equal(is({ stringEquals: 'AMI', value: '$.imagebuilder.imageType' }), true);
  assert.equal(is({ stringEquals: 'Docker', value: '$.imagebuilder.imageType' }), false);
  assert.equal(is({ booleanEquals: true, value: '$.parameters.flag' }), true);
  assert.equal(is({ numberGreaterThan: 2, value: '$.parameters.count' }), true);
  assert.equal(is({ numberLessThanEquals: 2, value: '$.parameters.count' }), false);
  assert.equal(
    is({ and: [{ numberEquals: 3, value: '$.parameters.count' }, { not: { stringEquals: 'x', value: 'y' } }] }),
    true,
  );
  assert.equal(
    is({
      or: [
        { stringEquals: 'a', value: 'b' },
        { stringEquals: 'c', value: 'd' },
      ],
    }),
    false,
  );
});

/** @module Recipe files name AWS managed components as real recipes do: published versions resolve, missing components say what to use. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveComponentRef } from './component-refs.ts';

const ctx = { baseDir: '/nonexistent', where: 'recipe.yml components[0]' };

test("a pinned published version of a managed component resolves to Ingot's document", async () => {
  const c = await resolveComponentRef('arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.2/1', ctx);
  assert.equal(c.name, 'update-linux');
  assert.match(c.text, /apt/);
});

test('an AWS managed component Ingot lacks fails naming it and what to use instead', async () => {
  await assert.rejects(
    resolveComponentRef('arn:aws:imagebuilder:us-east-1:aws:component/amazon-cloudwatch-agent-linux/1.0.1/1', ctx),
    /recipe\.yml components\[0\]: Ingot does not have the AWS managed component 'amazon-cloudwatch-agent-linux': Ingot has no CloudWatch/,
  );
});

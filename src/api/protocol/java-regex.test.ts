/** @module Tests the Java → JavaScript regex translation, on hand-picked cases and on every model pattern. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadServiceModel } from '../../model/service-model.ts';
import { compileJavaRegex, translateJavaRegex } from './java-regex.ts';

test('every pattern of the model compiles', () => {
  const patterns = Object.values(loadServiceModel().shapes).flatMap((s) =>
    s.type === 'string' && s.pattern ? [s.pattern] : [],
  );
  assert.ok(patterns.length > 50);
  for (const p of patterns) assert.doesNotThrow(() => compileJavaRegex(p), p);
});

test('Java-only constructs are rewritten', () => {
  assert.deepEqual(translateJavaRegex('(?i)^a\\s+b\\z'), { source: '^a[ \\t\\n\\x0B\\f\\r]+b$', flags: 'i' });
  assert.equal(translateJavaRegex('^[\\s_]*+x++$').source, '^[ \\t\\n\\x0B\\f\\r_]*x+$');
  assert.equal(translateJavaRegex('\\p{Alnum}[\\p{Digit}]').source, '[A-Za-z0-9][0-9]');
  assert.equal(translateJavaRegex('[]a]').source, '[\\]a]');
  assert.equal(translateJavaRegex('\\++').source, '\\++', 'an escaped + followed by a quantifier stays');
  assert.throws(
    () => translateJavaRegex('[a-z&&[^e]]'),
    /intersection/,
    'constructs JS cannot express fail loudly at start-up',
  );
});

test('model patterns behave as in Java (find semantics, lenient classes, ASCII \\s)', () => {
  const model = loadServiceModel();
  const pattern = (name: string): RegExp => {
    const s = model.shapes[name];
    assert.ok(s?.type === 'string' && s.pattern);
    return compileJavaRegex(s.pattern);
  };
  const arn = pattern('ComponentBuildVersionArn');
  assert.ok(arn.test('arn:aws:imagebuilder:us-east-1:123456789012:component/my_comp-1/1.0.0/1'));
  assert.ok(arn.test('arn:aws-cn:imagebuilder:cn-north-1:aws:component/x/1.0.0/1'));
  assert.ok(!arn.test('arn:aws:imagebuilder:us-east-1:123456789012:component/x/1.0.0'));
  assert.ok(!arn.test('arn:aws:imagebuilder:us-east-1:123456789012:component/X/1.0.0/1'));
  const tagKey = pattern('TagKey');
  assert.ok(tagKey.test('team name'));
  assert.ok(!tagKey.test('aws:reserved'));
  assert.ok(!tagKey.test('a\u00a0b'), 'non-ASCII space is not \\s in Java');
  assert.ok(pattern('ComponentParameterType').test('Integer'));
  assert.ok(pattern('ResourceName').test('my-recipe_1'));
});

/**
 * @module Every operation of the Image Builder model, called with the real JS SDK against a real
 * server (test/helpers/operation-walk.ts), each wire response checked against its output shape
 * with ajv; the operations still unimplemented are exactly EXPECTED_MISSING.
 */
import type * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { modelledErrors, modelOperations, outputChecker } from '../helpers/model-schema.ts';
import {
  BY_DESIGN,
  type Caller,
  EXPECTED_MISSING,
  pointingAtNothing,
  sdkCall,
  WALK_OPERATIONS,
  walk,
} from '../helpers/operation-walk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let calls: { op: string; input: Record<string, unknown> }[] = [];
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

test('the walk calls each of the 77 operations of the model once', () => {
  const ops = modelOperations();
  assert.equal(ops.length, 77);
  assert.deepEqual([...WALK_OPERATIONS].sort(), [...ops].sort());
  for (const [op, type] of Object.entries(BY_DESIGN)) assert.ok(modelledErrors(op).includes(type), `${op}: ${type}`);
});

test('the shape check catches unknown members, wrong types, missing members and broken patterns', () => {
  const check = outputChecker('wire');
  assert.match(
    check('GetComponent', { component: { arn: 5, extra: 1 } }) ?? '',
    /additional properties.*arn must be string/,
  );
  assert.match(check('CreateComponent', { componentBuildVersionArn: 'nope' }) ?? '', /must match pattern/);
  assert.match(check('GetLifecycleExecution', { lifecycleExecution: { startTime: '2020' } }) ?? '', /must be number/);
  assert.match(check('ListTagsForResource', { tags: {} }) ?? '', /fewer than 1/);
  assert.equal(check('TagResource', {}), undefined);
});

/** A client whose last raw response body is kept (read before the SDK's deserializer consumes it). */
function capturingClient(): { client: ib.ImagebuilderClient; lastBody: () => string } {
  const client = t.client();
  let body = '';
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: AsyncIterable<Uint8Array> & object };
      const chunks: Buffer[] = [];
      if (response.body) for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      body = Buffer.concat(chunks).toString('utf8');
      (result.response as { body?: unknown }).body = Readable.from([Buffer.from(body)]);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'captureBody' },
  );
  return { client, lastBody: () => body };
}

test('the JS SDK gets a shape-valid answer from every implemented operation', async () => {
  const { client, lastBody } = capturingClient();
  const check = outputChecker('wire');
  const call: Caller = async (op, input) => {
    try {
      const output = await sdkCall(client, op, input);
      const wire = (lastBody() ? JSON.parse(lastBody()) : {}) as Record<string, unknown>;
      return { ok: true, output, problems: check(op, wire) };
    } catch (err) {
      const e = err as Error;
      return { ok: false, type: e.name, message: e.message };
    }
  };
  const result = await walk(t, call, 'sdk');
  client.destroy();
  calls = result.calls;
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.clientLacks, []);
  assert.deepEqual(result.missing.sort(), [...EXPECTED_MISSING].sort(), 'EXPECTED_MISSING is out of date');
  assert.deepEqual(result.refused.sort(), Object.keys(BY_DESIGN).sort());
  assert.equal(result.answered.length + result.missing.length + result.refused.length, 77);
});

/**
 * Errors AWS answers for any operation although the model lists them for some only: a resource
 * that does not exist (Get* of a missing ARN, as SDK users and Terraform check), and a value that
 * breaks the model's constraints.
 */
const SERVICE_WIDE = ['ResourceNotFoundException', 'InvalidParameterValueException'];

test('a call naming resources that do not exist is refused with an error AWS answers for that operation', async () => {
  assert.equal(calls.length, 77, 'runs after the walk');
  const client = t.client();
  const wrong: string[] = [];
  for (const { op, input } of calls) {
    const sent = pointingAtNothing(input);
    try {
      await sdkCall(client, op, sent);
    } catch (err) {
      const type = (err as Error).name;
      const allowed = new Set([
        ...modelledErrors(op),
        ...SERVICE_WIDE,
        ...(EXPECTED_MISSING.includes(op) ? ['NotImplementedException'] : []),
      ]);
      if (!allowed.has(type)) wrong.push(`${op} ${JSON.stringify(sent)}: ${type}: ${(err as Error).message}`);
    }
  }
  client.destroy();
  assert.deepEqual(wrong, []);
});

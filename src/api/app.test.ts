/** @module End-to-end tests of the API app with the real @aws-sdk/client-imagebuilder and raw signed fetches. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateComponentCommand,
  GetComponentCommand,
  GetImageCommand,
  GetImagePipelineCommand,
  GetLifecyclePolicyCommand,
  ImagebuilderClient,
  ListComponentsCommand,
  ListTagsForResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-imagebuilder';
import { notFound } from '../errors/ingot-error.ts';
import { createApiApp, type OperationHandlers, type RequestLog } from './app.ts';
import { RestJsonCodec } from './protocol/codec.ts';
import { serveApp, type ServedApp } from '../../test/helpers/serve-app.ts';
import { lookupTestKey, signedFetch, TEST_KEY } from '../../test/helpers/signed-fetch.ts';

const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:component/my-comp/1.0.0/1';
const IMAGE_ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:image/img/1.0.0/1';
const logs: RequestLog[] = [];
const errors: unknown[] = [];
const untagged: string[] = [];
let served: ServedApp;

const handlers: OperationHandlers = {
  GetComponent: async (input, ctx) => ({
    component: {
      arn: input.componentBuildVersionArn,
      owner: ctx.accountId,
      description: ctx.region,
      dateCreated: ctx.operation,
    },
  }),
  ListComponents: async (input) => ({
    componentVersionList: [{ name: JSON.stringify(input) }],
    nextToken: input.nextToken,
  }),
  CreateComponent: async (input) => ({
    clientToken: input.clientToken,
    componentBuildVersionArn: `${ARN}:${input.name}:${input.tags?.team ?? ''}`,
  }),
  ListTagsForResource: async (input) => ({ tags: { arn: input.resourceArn } }),
  UntagResource: async (input) => {
    untagged.push(input.tagKeys.join('|'));
    return {};
  },
  GetLifecyclePolicy: async (input) => ({
    lifecyclePolicy: {
      arn: input.lifecyclePolicyArn,
      name: 'p',
      dateCreated: new Date('2026-01-02T03:04:05.250Z'),
      internalSecret: 'x',
    },
    internalTop: 1,
  }),
  GetImage: async (input) => {
    if (input.imageBuildVersionArn.includes('/404/')) throw notFound(`Image ${input.imageBuildVersionArn} not found`);
    throw new Error('secret stack detail');
  },
};

function client(secretAccessKey = TEST_KEY.secretAccessKey, accessKeyId = TEST_KEY.accessKeyId): ImagebuilderClient {
  return new ImagebuilderClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

async function sdkError(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

before(async () => {
  served = await serveApp(
    createApiApp({
      handlers,
      lookupSecret: lookupTestKey,
      validateOutputs: false,
      onRequest: (log) => logs.push(log),
      onError: (err) => errors.push(err),
    }),
  );
});
after(() => served.close());

test('inputs arrive parsed from query, URI (ARN with slashes) and body; outputs come back typed', async () => {
  const sdk = client();
  const got = await sdk.send(new GetComponentCommand({ componentBuildVersionArn: ARN }));
  assert.equal(got.component?.arn, ARN);
  assert.equal(got.component?.owner, '123456789012');
  assert.equal(got.component?.description, 'us-east-1');
  assert.match(got.requestId ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(got.$metadata.httpStatusCode, 200);
  assert.equal(got.$metadata.requestId, got.requestId);

  const tags = await sdk.send(new ListTagsForResourceCommand({ resourceArn: ARN }));
  assert.deepEqual(tags.tags, { arn: ARN });
  await sdk.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['a b', 'c/d'] }));
  assert.deepEqual(untagged, ['a b|c/d']);

  const list = await sdk.send(
    new ListComponentsCommand({ owner: 'Self', maxResults: 5, filters: [{ name: 'name', values: ['x'] }] }),
  );
  assert.deepEqual(JSON.parse(list.componentVersionList?.[0]?.name ?? ''), {
    owner: 'Self',
    maxResults: 5,
    filters: [{ name: 'name', values: ['x'] }],
  });

  const created = await sdk.send(
    new CreateComponentCommand({
      name: 'web',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: 'name: x',
      tags: { team: 'blue' },
    }),
  );
  assert.match(created.clientToken ?? '', /^[0-9a-f-]{36}$/, 'the SDK fills the idempotency token');
  assert.equal(created.componentBuildVersionArn, `${ARN}:web:blue`);
  assert.ok(
    logs.some(
      (l) =>
        l.operation === 'CreateComponent' && l.status === 200 && l.accountId === '123456789012' && l.sourceIp !== '',
    ),
  );
});

test('errors surface in the SDK with the right name, status and message', async () => {
  const sdk = client();
  const invalid = await sdkError(
    sdk.send(new CreateComponentCommand({ name: 'web', semanticVersion: 'x', platform: 'Linux', data: 'a' })),
  );
  assert.equal(invalid.name, 'InvalidParameterValueException');
  assert.equal(invalid.$metadata.httpStatusCode, 400);
  assert.equal(
    invalid.message,
    "The value supplied for parameter 'semanticVersion' is not valid. 1 validation error detected: Value 'x' at 'semanticVersion' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: ^[0-9]+\\.[0-9]+\\.[0-9]+$',
  );

  const malformed = await sdkError(sdk.send(new GetImageCommand({ imageBuildVersionArn: 'not-an-arn' })));
  assert.equal(malformed.name, 'InvalidParameterValueException', 'a malformed ARN is rejected before the handler runs');
  const notThere = 'arn:aws:imagebuilder:us-east-1:123456789012:image/404/1.0.0/1';
  const nf = await sdkError(sdk.send(new GetImageCommand({ imageBuildVersionArn: notThere })));
  assert.equal(nf.name, 'ResourceNotFoundException');
  assert.equal(nf.$metadata.httpStatusCode, 404);
  assert.equal(nf.message, `Image ${notThere} not found`);

  const crash = await sdkError(sdk.send(new GetImageCommand({ imageBuildVersionArn: IMAGE_ARN })));
  assert.equal(crash.name, 'ServiceException');
  assert.equal(crash.$metadata.httpStatusCode, 500);
  assert.equal(crash.message, 'Internal service error');
  assert.ok(errors.some((e) => e instanceof Error && e.message === 'secret stack detail'));

  const pipelineArn = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/p';
  const unimplemented = await sdkError(sdk.send(new GetImagePipelineCommand({ imagePipelineArn: pipelineArn })));
  assert.equal(unimplemented.name, 'NotImplementedException');
  assert.equal(unimplemented.$metadata.httpStatusCode, 501);
  assert.equal(unimplemented.message, 'Operation GetImagePipeline is not implemented by Ingot');
});

test('SigV4: wrong secret, unknown key, unsigned and expired requests are 403s of the right type', async () => {
  const wrong = await sdkError(
    client('not-the-secret').send(new GetComponentCommand({ componentBuildVersionArn: ARN })),
  );
  assert.equal(wrong.name, 'InvalidSignatureException');
  assert.equal(wrong.$metadata.httpStatusCode, 403);
  assert.match(wrong.message, /^The request signature we calculated does not match the signature you provided/);
  const unknown = await sdkError(
    client('x', 'AKIDUNKNOWN').send(new GetComponentCommand({ componentBuildVersionArn: ARN })),
  );
  assert.equal(unknown.name, 'UnrecognizedClientException');
  assert.equal(unknown.message, 'The security token included in the request is invalid.');

  const unsigned = await fetch(`${served.endpoint}/GetComponent?componentBuildVersionArn=${encodeURIComponent(ARN)}`);
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  assert.deepEqual(await unsigned.json(), { message: 'Missing Authentication Token' });

  const expired = await signedFetch(served.endpoint, {
    method: 'POST',
    path: '/ListComponents',
    body: '{}',
    signingDate: new Date(Date.now() - 3_600_000),
  });
  assert.equal(expired.status, 403);
  assert.equal(expired.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
  assert.match(((await expired.json()) as { message: string }).message, /^Signature expired: /);
});

test('unknown routes are 404 UnknownOperationException; the request id header is always there', async () => {
  const res = await signedFetch(served.endpoint, { method: 'POST', path: '/NoSuchOperation', body: '{}' });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  const wrongMethod = await signedFetch(served.endpoint, { method: 'DELETE', path: '/ListComponents' });
  assert.equal(wrongMethod.status, 404);
  await wrongMethod.body?.cancel();
});

test('outputs carry only the members of the output shape, with timestamps as epoch seconds', async () => {
  const arn = 'arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/p';
  const out = await client().send(new GetLifecyclePolicyCommand({ lifecyclePolicyArn: arn }));
  assert.ok(out.lifecyclePolicy?.dateCreated instanceof Date);
  assert.equal(out.lifecyclePolicy.dateCreated.toISOString(), '2026-01-02T03:04:05.250Z');
  const raw = await signedFetch(served.endpoint, {
    method: 'GET',
    path: '/GetLifecyclePolicy',
    rawQuery: `lifecyclePolicyArn=${encodeURIComponent(arn)}`,
  });
  const body = (await raw.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['lifecyclePolicy'], 'GetLifecyclePolicyResponse has no requestId member');
  assert.deepEqual(body.lifecyclePolicy, { arn, name: 'p', dateCreated: 1767323045.25 });
});

test('with validateOutputs, an output that breaks its shape is a 500 reported to onError', async () => {
  const seen: unknown[] = [];
  const app = createApiApp({
    lookupSecret: lookupTestKey,
    validateOutputs: true,
    onError: (err) => seen.push(err),
    handlers: { ListComponents: async () => ({ componentVersionList: [{ platform: 'Plan9' as 'Linux' }] }) },
  });
  const local = await serveApp(app);
  try {
    const res = await signedFetch(local.endpoint, { method: 'POST', path: '/ListComponents', body: '{}' });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { message: 'Internal service error' });
    assert.match(
      String((seen[0] as Error).message),
      /ListComponents does not match its output shape: .*'componentVersionList.1.member.platform'/,
    );
  } finally {
    await local.close();
  }
});

test('the codec compiles every operation of the model up front', () => {
  const codec = new RestJsonCodec();
  assert.equal(Object.keys(codec.model.operations).length, 77);
  assert.equal(codec.routes.match('PUT', '/CreateComponent')?.operation, 'CreateComponent');
});

/**
 * @module Hostile and unusual requests through a real server: signatures scoped to regions that are
 * no region names, YAML alias bombs in component documents, empty distribution lists and presigned
 * (query-string) SigV4 requests. Every client mistake is a 4xx naming the problem, never a 500.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import * as ib from '@aws-sdk/client-imagebuilder';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, TEST_KEY, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.stop();
});

let n = 0;
const token = () => `hostile-${process.pid}-${++n}`;

/** Sends a SigV4-signed (or, with `presign`, query-signed) REST request; returns status and body. */
async function send(opts: {
  method: string;
  path: string;
  body?: unknown;
  region?: string;
  presign?: boolean;
  query?: Record<string, string>;
  signingDate?: Date;
  expiresIn?: number;
  tamper?: boolean;
}): Promise<{ status: number; body: { message?: string; Message?: string; [k: string]: unknown } }> {
  const url = new URL(t.server.url);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const signer = new SignatureV4({
    credentials: TEST_KEY,
    region: opts.region ?? 'us-east-1',
    service: 'imagebuilder',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: opts.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: opts.path,
    query: opts.query ?? {},
    headers: { host: url.host, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const when = opts.signingDate ? { signingDate: opts.signingDate } : {};
  const signed = opts.presign
    ? await signer.presign(request, { expiresIn: opts.expiresIn ?? 300, ...when })
    : await signer.sign(request, when);
  if (opts.tamper) signed.query = { ...signed.query, 'X-Amz-Signature': '0'.repeat(64) };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) for (const x of [v].flat()) query.append(k, String(x));
  const qs = query.toString().replace(/\+/g, '%20');
  const res = await fetch(`${t.server.url}${opts.path}${qs ? `?${qs}` : ''}`, {
    method: opts.method,
    headers: signed.headers as Record<string, string>,
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { message?: string }) : {} };
}

const messageOf = (b: { message?: string; Message?: string }) => b.message ?? b.Message ?? '';

test('a signature scoped to a region that is no region name is refused with 400', async () => {
  for (const region of ['..', 'zz-fake-99', 'x'.repeat(300)]) {
    const res = await send({
      method: 'PUT',
      path: '/CreateComponent',
      region,
      body: { name: 'c', semanticVersion: '1.0.0', platform: 'Linux', data: 'x', clientToken: token() },
    });
    assert.equal(res.status, 400, region);
    assert.match(messageOf(res.body), /valid region/, region);
  }
});

test('hostile component documents (alias bombs, deep nesting) are a 400 naming the problem', async () => {
  const bomb = `x: &x [1]\n${Array.from({ length: 150 }, (_, i) => `k${i}: *x`).join('\n')}\n`;
  const deep = `${'['.repeat(7000)}${']'.repeat(7000)}\n`;
  const nested = `a: &a [1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n`;
  const cases: [string, string, RegExp][] = [
    ['bomb', bomb, /aliases expand too much/],
    ['nested', nested, /aliases expand too much|not/],
    ['deep', deep, /YAML|nested too deeply|phases/],
  ];
  for (const [name, data, pattern] of cases) {
    const res = await send({
      method: 'PUT',
      path: '/CreateComponent',
      body: { name, semanticVersion: '1.0.0', platform: 'Linux', data, clientToken: token() },
    });
    assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body).slice(0, 300)}`);
    assert.match(messageOf(res.body), pattern, name);
  }
});

test('a distribution configuration with no distributions is refused (create and update)', async () => {
  const c = t.client();
  await assert.rejects(
    c.send(new ib.CreateDistributionConfigurationCommand({ name: 'none', distributions: [], clientToken: token() })),
    (err: Error) => err.name === 'InvalidParameterValueException' && /at least one distribution/.test(err.message),
  );
  const arn = (
    await c.send(
      new ib.CreateDistributionConfigurationCommand({
        name: 'one',
        distributions: [{ region: 'us-east-1', amiDistributionConfiguration: {} }],
        clientToken: token(),
      }),
    )
  ).distributionConfigurationArn!;
  await assert.rejects(
    c.send(
      new ib.UpdateDistributionConfigurationCommand({
        distributionConfigurationArn: arn,
        distributions: [],
        clientToken: token(),
      }),
    ),
    /at least one distribution/,
  );
});

test('presigned (query-string) SigV4 requests are accepted until they expire', async () => {
  const created = await send({
    method: 'PUT',
    path: '/CreateInfrastructureConfiguration',
    presign: true,
    body: { name: 'presigned', instanceProfileName: 'ingot', clientToken: token() },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const arn = created.body['infrastructureConfigurationArn'] as string;
  assert.match(arn, /^arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration\/presigned$/);
  const got = await send({
    method: 'GET',
    path: '/GetInfrastructureConfiguration',
    presign: true,
    query: { infrastructureConfigurationArn: arn },
  });
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.equal((got.body['infrastructureConfiguration'] as { name: string }).name, 'presigned');
  const listed = await send({ method: 'POST', path: '/ListInfrastructureConfigurations', presign: true, body: {} });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));

  const expired = await send({
    method: 'POST',
    path: '/ListInfrastructureConfigurations',
    presign: true,
    body: {},
    signingDate: new Date(Date.now() - 120_000),
    expiresIn: 60,
  });
  assert.equal(expired.status, 403);
  assert.match(messageOf(expired.body), /expired/);
  const tampered = await send({
    method: 'POST',
    path: '/ListInfrastructureConfigurations',
    presign: true,
    body: {},
    tamper: true,
  });
  assert.equal(tampered.status, 403);
  assert.match(messageOf(tampered.body), /does not match/);
  const badRegion = await send({
    method: 'POST',
    path: '/ListInfrastructureConfigurations',
    presign: true,
    body: {},
    region: '..',
  });
  assert.equal(badRegion.status, 400);
});

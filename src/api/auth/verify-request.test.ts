/** @module Checks the SigV4 verifier against requests signed by the real @smithy/signature-v4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { IngotError } from '../../errors/ingot-error.ts';
import { ProtocolError } from '../protocol/wire-errors.ts';
import { uriEscape } from './canonical-request.ts';
import { type SignedRequest, verifySigV4 } from './verify-request.ts';

const KEY = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/with+chars=', accountId: '123456789012' };
const lookup = (id: string) => (id === KEY.accessKeyId ? KEY : undefined);

interface Spec {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  secret?: string;
  region?: string;
  service?: string;
  date?: Date;
}

async function signed(spec: Spec): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: spec.secret ?? KEY.secretAccessKey },
    region: spec.region ?? 'eu-west-3',
    service: spec.service ?? 'imagebuilder',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: spec.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8080,
    path: spec.path,
    query: spec.query ?? {},
    headers: { host: '127.0.0.1:8080', ...spec.headers },
    body: spec.body,
  });
  const out = await signer.sign(request, spec.date ? { signingDate: spec.date } : {});
  const rawQuery = Object.entries(spec.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${uriEscape(k)}=${uriEscape(x)}`))
    .join('&');
  const headers = new Map(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: spec.method,
    rawPath: spec.path,
    rawQuery,
    header: (n) => headers.get(n),
    body: new TextEncoder().encode(spec.body ?? ''),
  };
}

function rejectsWith(type: string, pattern: RegExp) {
  return (err: unknown) => {
    const actual = err instanceof IngotError ? err.awsType : err instanceof ProtocolError ? err.type : String(err);
    assert.equal(actual, type);
    assert.match((err as Error).message, pattern);
    return true;
  };
}

test('accepts requests signed by @smithy/signature-v4, with encoded ARNs, lists and bodies', async () => {
  const arn = 'arn:aws:imagebuilder:eu-west-3:123456789012:component/my-comp/1.0.0/1';
  const cases: Spec[] = [
    { method: 'GET', path: `/tags/${encodeURIComponent(arn)}` },
    { method: 'DELETE', path: `/tags/${encodeURIComponent(arn)}`, query: { tagKeys: ['b key', 'a*(!)', 'ü/x'] } },
    { method: 'GET', path: '/GetComponent', query: { componentBuildVersionArn: arn } },
    {
      method: 'PUT',
      path: '/CreateComponent',
      body: JSON.stringify({ name: 'x y', data: 'é' }),
      headers: { 'content-type': 'application/json', 'x-custom': '  spaced   value  ' },
    },
  ];
  for (const spec of cases) {
    const identity = await verifySigV4(await signed(spec), lookup);
    assert.deepEqual(identity, { accessKeyId: 'AKIDTEST', accountId: '123456789012', region: 'eu-west-3' });
  }
});

test('rejects unsigned, unknown keys, wrong secrets, tampering and stale dates like AWS', async () => {
  const base: Spec = { method: 'POST', path: '/ListComponents', body: '{}' };
  const unsigned = { ...(await signed(base)), header: () => undefined };
  await assert.rejects(
    verifySigV4(unsigned, lookup),
    rejectsWith('MissingAuthenticationTokenException', /^Missing Authentication Token$/),
  );
  await assert.rejects(
    verifySigV4(await signed(base), () => undefined),
    rejectsWith('UnrecognizedClientException', /security token included in the request is invalid/),
  );
  await assert.rejects(
    verifySigV4(await signed({ ...base, secret: 'wrong' }), lookup),
    rejectsWith(
      'InvalidSignatureException',
      /does not match the signature you provided.*\n\nThe Canonical String for this request should have been\n'POST\n\/ListComponents\n/s,
    ),
  );
  const tampered = { ...(await signed(base)), body: new TextEncoder().encode('{"x":1}') };
  await assert.rejects(verifySigV4(tampered, lookup), rejectsWith('InvalidSignatureException', /does not match/));
  const old = await signed({ ...base, date: new Date(Date.now() - 20 * 60_000) });
  await assert.rejects(
    verifySigV4(old, lookup),
    rejectsWith('InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than/),
  );
  const future = await signed({ ...base, date: new Date(Date.now() + 20 * 60_000) });
  await assert.rejects(
    verifySigV4(future, lookup),
    rejectsWith('InvalidSignatureException', /^Signature not yet current/),
  );
  await assert.rejects(
    verifySigV4(await signed({ ...base, service: 's3' }), lookup),
    rejectsWith('InvalidSignatureException', /scoped to correct service/),
  );
  const garbled = {
    ...(await signed(base)),
    header: (n: string) => (n === 'authorization' ? 'AWS4-HMAC-SHA256 Credential=x' : undefined),
  };
  await assert.rejects(
    verifySigV4(garbled, lookup),
    rejectsWith('IncompleteSignatureException', /requires 'SignedHeaders'|scoped/),
  );
});

test('accepts only region names of AWS form or site names in the credential scope', async () => {
  const base: Spec = { method: 'POST', path: '/ListComponents', body: '{}' };
  for (const region of ['..', '../../etc', 'zz-fake-99', 'x'.repeat(300), 'us-east-1/..', 'US-EAST-1', 'moon-base-1']) {
    await assert.rejects(
      verifySigV4(await signed({ ...base, region }), lookup),
      rejectsWith('IncompleteSignatureException', /scoped to a valid region/),
      region,
    );
  }
  for (const region of ['us-east-1', 'us-gov-west-1', 'ap-southeast-2', 'eu-central-2', 'site-lab-a']) {
    const identity = await verifySigV4(await signed({ ...base, region }), lookup);
    assert.equal(identity.region, region);
  }
});

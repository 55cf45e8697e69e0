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
  const signed = opts.presign ? await signer.presign(request, { expiresIn: 300 }) : await signer.sign(request);
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

/** @module Fuzz: for every operation, correctly signed but invalid requests must get an AWS-form 4xx, fast. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATIONS } from '../../src/model/generated/operations.ts';
import type { OperationSpec } from '../../src/model/types.ts';
import { loadServiceModel } from '../../src/model/service-model.ts';
import { createApiApp } from '../../src/api/app.ts';
import { badRequests, type FuzzCase } from '../helpers/bad-requests.ts';
import { serveApp, type ServedApp } from '../helpers/serve-app.ts';
import { lookupTestKey, signedFetch } from '../helpers/signed-fetch.ts';

const CONCURRENCY = 8;
let served: ServedApp;
const serverErrors: unknown[] = [];

before(async () => {
  // Handlers that would fail loudly if a bad input ever got through validation.
  const reached = async (): Promise<never> => {
    throw new Error('handler reached with an invalid input');
  };
  served = await serveApp(
    createApiApp({
      lookupSecret: lookupTestKey,
      onError: (err) => serverErrors.push(err),
      handlers: { GetComponent: reached, CreateComponent: reached, ListComponents: reached, TagResource: reached },
    }),
  );
});
after(() => served.close());

async function check(operation: string, c: FuzzCase): Promise<string | undefined> {
  const where = `${operation} / ${c.description}`;
  let res: Response;
  try {
    res = await signedFetch(served.endpoint, c.call, 10_000);
  } catch {
    // A kept-alive socket the server closed at the same moment fails the request without an
    // answer ("fetch failed"); a real client (the SDK) retries it, and so does the fuzzer, once.
    try {
      res = await signedFetch(served.endpoint, c.call, 10_000);
    } catch (err) {
      return `${where}: request failed: ${String(err)}`;
    }
  }
  const text = await res.text();
  if (res.status === 403) return `${where}: 403 (the fuzzer signs correctly): ${text.slice(0, 300)}`;
  if (res.status < 400 || res.status >= 500) return `${where}: status ${res.status}: ${text.slice(0, 300)}`;
  const type = res.headers.get('x-amzn-errortype');
  if (!type) return `${where}: no x-amzn-ErrorType header`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where}: body is not JSON: ${text.slice(0, 200)}`;
  }
  const message = (body as { message?: unknown }).message;
  if (typeof message !== 'string' || message === '') return `${where}: no message in ${text.slice(0, 200)}`;
  if (
    type === 'InvalidParameterValueException' &&
    !/(^|is not valid\. )\d+ validation errors? detected: |parameter/.test(message)
  )
    return `${where}: odd message ${message}`;
  return undefined;
}

test('every operation answers invalid input with an AWS-form 4xx, never a 5xx or a hang', async () => {
  const model = loadServiceModel();
  const work: [string, FuzzCase][] = Object.entries(OPERATIONS as Record<string, OperationSpec>).flatMap(
    ([name, spec]) => badRequests(model, spec).map((c) => [name, c] as [string, FuzzCase]),
  );
  assert.ok(work.length > 1000, `only ${work.length} cases generated`);
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const [operation, c] = work[next++] ?? ['', undefined];
        if (!c) break;
        const failure = await check(operation, c);
        if (failure) failures.push(failure);
      }
    }),
  );
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${work.length} cases failed`);
  assert.deepEqual(serverErrors, []);
});

/**
 * @module Fuzz of the real services: for every implemented operation, well-formed requests (they
 * pass the protocol's validation) whose values make no sense together — ARNs of missing
 * resources, of other types, regions and accounts, wildcard versions, odd names — sent with the
 * real SDK to a real server. Every answer must be a success or an AWS-form 4xx; never a 5xx.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHandlers } from '../../src/api/handlers.ts';
import { loadServiceModel } from '../../src/model/service-model.ts';
import type { Shape } from '../../src/model/types.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { startTestServer, TEST_ACCOUNT, type TestServer } from '../helpers/server.ts';

const HELLO =
  'name: fuzz\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo hi\n';
const TYPES = [
  'component',
  'image',
  'image-recipe',
  'container-recipe',
  'infrastructure-configuration',
  'distribution-configuration',
  'image-pipeline',
];
const ARNS = [
  ...TYPES.flatMap((t) => [
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:${t}/fuzz-thing`,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:${t}/fuzz-thing/1.0.0`,
    `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:${t}/fuzz-thing/1.0.0/1`,
  ]),
  `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/fuzz/x.x.x`,
  `arn:aws:imagebuilder:us-east-1:${TEST_ACCOUNT}:component/fuzz/1.0.0/1`,
  'arn:aws:imagebuilder:eu-west-1:123456789012:image/fuzz/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:999999999999:component/fuzz/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
  'arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:aws:image/no-such-base/1.0.0/1',
];
const STRINGS = [
  'fuzz-thing',
  'Fuzz Thing 1',
  'abc',
  '1.0.0',
  '1.x.x',
  'x.x.x',
  'Linux',
  'debian-12',
  '/no/such/file.tar',
  'oci:/nope',
  'cron(0 0 * * ? *)',
  'cron(99 0 * * ? *)',
  '{}',
  'not json',
  HELLO,
  'name: x\nphases: [',
  '😀'.repeat(3),
];

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;

function valueFor(shapes: Record<string, Shape>, name: string, member: string, depth: number): unknown {
  const s = shapes[name] as Shape & {
    type: string;
    members?: Record<string, { shape: string }>;
    required?: string[];
    member?: { shape: string };
    value?: { shape: string };
    enum?: string[];
  };
  switch (s.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [m, ref] of Object.entries(s.members ?? {})) {
        if (depth > 3 && !s.required?.includes(m)) continue;
        if (s.required?.includes(m) || rand(3) === 0) out[m] = valueFor(shapes, ref.shape, m, depth + 1);
      }
      return out;
    }
    case 'list':
      return Array.from({ length: rand(3) }, () => valueFor(shapes, s.member!.shape, member, depth + 1));
    case 'map':
      return rand(2) ? { key: String(valueFor(shapes, s.value!.shape, member, depth + 1)) } : {};
    case 'string':
      if (s.enum) return pick(s.enum);
      return /arn/i.test(member) || /Arn/.test(name) ? pick(ARNS) : pick(STRINGS);
    case 'integer':
    case 'long':
      return 1 + rand(25);
    case 'boolean':
      return rand(2) === 1;
    case 'timestamp':
      return new Date();
    default:
      return undefined;
  }
}

let t: TestServer;
before(async () => {
  t = await startTestServer();
  const c = t.client();
  await c.send(
    new ib.CreateComponentCommand({
      name: 'fuzz',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: HELLO,
      clientToken: 'seed-1',
    }),
  );
});
after(() => t.stop());

test('no well-formed request to an implemented operation gets a 5xx', async () => {
  const model = loadServiceModel();
  const store = openSqliteStore(':memory:');
  const implemented = Object.keys(createHandlers({ store }));
  await store.close();
  const client = t.client();
  const failures: string[] = [];
  let answered = 0;
  for (const op of implemented) {
    const Command = (
      ib as unknown as Record<
        string,
        new (
          input: unknown,
        ) => ib.ImagebuilderClient extends { send(c: infer C): unknown } ? C : never
      >
    )[`${op}Command`];
    assert.ok(Command, `the SDK has ${op}Command`);
    const inputShape = model.operations[op]!.input!.shape;
    for (let i = 0; i < 40; i++) {
      const input = valueFor(model.shapes, inputShape, '', 0);
      try {
        await client.send(new Command(input));
        answered++;
      } catch (err) {
        const e = err as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
        const status = e.$metadata?.httpStatusCode;
        if (status === undefined) continue; // the SDK refused to send it (client-side check)
        answered++;
        if (status >= 500)
          failures.push(`${op} ${JSON.stringify(input).slice(0, 300)} → ${status} ${e.name}: ${e.message}`);
      }
    }
  }
  assert.ok(answered > implemented.length * 20, `only ${answered} requests reached the server`);
  assert.deepEqual(failures, []);
});

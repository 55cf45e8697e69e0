/** @module In-process fuzz of the codec: random (seeded) inputs for every operation only ever raise IngotErrors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngotError } from '../../errors/ingot-error.ts';
import { OPERATION_NAMES } from '../../model/generated/operations.ts';
import type { ServiceModel } from '../../model/types.ts';
import { RestJsonCodec } from './codec.ts';

/** mulberry32: a small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'x',
  'Linux',
  '1.0.0',
  'arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1',
  '\u0000',
  'ü€😀',
  '%ZZ',
  'a'.repeat(300),
];

function randomJson(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 5 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, 2 ** 53, 25, 26][Math.floor(rand() * 7)];
    case 3:
    case 4:
      return STRINGS[Math.floor(rand() * STRINGS.length)];
    case 5:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [`k${i}`, randomJson(rand, depth + 1)]),
      );
  }
}

/** A value that follows the shape's structure (right keys) with random leaves: reaches deep checks. */
function shapedValue(model: ServiceModel, shapeName: string, rand: () => number, depth: number): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || depth > 5 || rand() < 0.15) return randomJson(rand, depth);
  switch (shape.type) {
    case 'structure':
      return Object.fromEntries(
        Object.entries(shape.members)
          .filter(() => rand() < 0.7)
          .map(([m, ref]) => [m, shapedValue(model, ref.shape, rand, depth + 1)]),
      );
    case 'list':
      return Array.from({ length: Math.floor(rand() * 3) }, () =>
        shapedValue(model, shape.member.shape, rand, depth + 1),
      );
    case 'map':
      return Object.fromEntries(
        Array.from({ length: Math.floor(rand() * 3) }, (_, i) => [
          STRINGS[i] ?? 'k',
          shapedValue(model, shape.value.shape, rand, depth + 1),
        ]),
      );
    default:
      return randomJson(rand, depth);
  }
}

function expectOnlyIngotErrors(fn: () => unknown, where: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof IngotError, `${where}: ${String(err)}`);
    assert.ok(err.httpStatus >= 400 && err.httpStatus < 500, `${where}: ${err.awsType}`);
  }
}

test('random bodies, queries and labels for every operation only raise 4xx IngotErrors', () => {
  const codec = new RestJsonCodec();
  const rand = prng(20261125);
  for (const operation of OPERATION_NAMES) {
    const spec = codec.model.operations[operation];
    const inputShape = spec?.input?.shape ?? '';
    for (let i = 0; i < 150; i++) {
      const value = i % 2 === 0 ? shapedValue(codec.model, inputShape, rand, 0) : randomJson(rand, 0);
      const body = new TextEncoder().encode(JSON.stringify(value));
      const query = [
        { key: 'maxResults', value: String(randomJson(rand, 4)) },
        { key: 'tagKeys', value: String(randomJson(rand, 4)) },
      ];
      expectOnlyIngotErrors(
        () =>
          codec.parseInput(operation, {
            rawLabels: { resourceArn: encodeURIComponent(String(randomJson(rand, 4))) },
            query,
            header: () => undefined,
            body,
          }),
        `${operation} #${i} ${JSON.stringify(value).slice(0, 200)}`,
      );
    }
    const junk = Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 256));
    expectOnlyIngotErrors(
      () => codec.parseInput(operation, { rawLabels: {}, query: [], header: () => undefined, body: junk }),
      `${operation} junk`,
    );
  }
});

test('random handler outputs always serialise to a 200 JSON response', async () => {
  const codec = new RestJsonCodec();
  const rand = prng(7);
  for (const operation of OPERATION_NAMES) {
    const outputShape = codec.model.operations[operation]?.output?.shape ?? '';
    for (let i = 0; i < 50; i++) {
      const response = codec.outputResponse(operation, shapedValue(codec.model, outputShape, rand, 0), 'request-id');
      assert.equal(response.status, 200);
      assert.equal(typeof JSON.parse(await response.text()), 'object');
    }
  }
});

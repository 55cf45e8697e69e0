/** @module listPage's item memo: an unchanged document is shaped once, a changed one again; shared items are frozen. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import type { ServiceContext } from './context.ts';
import { listPage } from './crud.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-crud-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Doc {
  arn: string;
  name: string;
  tags?: Record<string, string>;
}

test('listPage shapes each distinct document once and shares the frozen item', async () => {
  const store = openSqliteStore(join(dir, 'memo.db'));
  const ctx: ServiceContext = { store, accountId: '123456789012', region: 'us-east-1', requestId: 'r' };
  try {
    for (const name of ['a', 'b', 'c']) {
      const arn = `arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/${name}/1.0.0`;
      await store.resources.insert({
        arn,
        type: 'image-recipe',
        account: '123456789012',
        region: 'us-east-1',
        name,
        version: '1.0.0',
        build: null,
        doc: { arn, name, tags: { k: name } },
        createdAt: 'c',
        updatedAt: 'u',
      });
    }
    let calls = 0;
    const shape = (d: Doc) => (calls++, { name: d.name, tags: d.tags });
    const opts = {
      operation: 'ListImageRecipes',
      type: 'image-recipe' as const,
      filterSpec: { name: 'name' },
      item: shape,
    };

    const first = await listPage<Doc, ReturnType<typeof shape>>(ctx, {}, opts);
    assert.deepEqual(
      first.items.map((i) => i.name),
      ['a', 'b', 'c'],
    );
    assert.equal(calls, 3);
    const second = await listPage<Doc, ReturnType<typeof shape>>(ctx, { maxResults: 2 }, opts);
    assert.equal(calls, 3, 'unchanged documents are not shaped again');
    assert.equal(second.items[0], first.items[0]);
    assert.ok(second.nextToken);
    assert.throws(() => {
      (first.items[0]!.tags as Record<string, string>)['k'] = 'changed';
    }, TypeError);

    const b = `arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/b/1.0.0`;
    await store.resources.update(b, { arn: b, name: 'b', tags: { k: 'new' } });
    const third = await listPage<Doc, ReturnType<typeof shape>>(ctx, {}, opts);
    assert.equal(calls, 4);
    assert.deepEqual(
      third.items.map((i) => i.tags?.['k']),
      ['a', 'new', 'c'],
    );

    // Without `item`, every call parses its own documents (callers may change them).
    const plain = await listPage<Doc>(ctx, {}, { operation: 'ListImageRecipes', type: 'image-recipe', filterSpec: {} });
    plain.items[0]!.name = 'mine';
    assert.equal(
      (await listPage<Doc>(ctx, {}, { operation: 'ListImageRecipes', type: 'image-recipe', filterSpec: {} })).items[0]!
        .name,
      'a',
    );
  } finally {
    await store.close();
  }
});

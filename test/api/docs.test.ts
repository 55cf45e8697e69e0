/** @module The API documentation lists exactly the operations the server implements. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createHandlers } from '../../src/api/handlers.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

test('docs/api.md names every implemented operation, and no other', async () => {
  const store = openSqliteStore(':memory:');
  const implemented = Object.keys(createHandlers({ store })).sort();
  await store.close();
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('## Implemented operations'), doc.indexOf('## Behaviour'));
  const listed = [...table.matchAll(/\b([A-Z][A-Za-z]+)\b/g)]
    .map((m) => m[1]!)
    .filter(
      (w) =>
        implemented.includes(w) ||
        /^(Create|Get|List|Delete|Update|Put|Import|Start|Cancel|Tag|Untag|Distribute|Retry)[A-Z]/.test(w),
    );
  assert.deepEqual([...new Set(listed)].sort(), implemented);
});

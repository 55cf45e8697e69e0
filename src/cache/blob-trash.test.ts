/** @module Tests for BlobStore.discard/emptyTrash: a blob leaves the store at once, its bytes go later. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openBlobStore } from './blob-store.ts';

test('a discarded blob is out of the store at once and deleted by emptyTrash; discarding a missing one is harmless', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ingot-blob-trash-'));
  try {
    const blobs = await openBlobStore(root);
    const kept = await blobs.putBytes('kept');
    const old = await blobs.putBytes('an old archive');
    await blobs.discard(old.digest);
    assert.equal(await blobs.has(old.digest), false);
    assert.equal(await blobs.has(kept.digest), true);
    const trash = readdirSync(join(root, 'trash'));
    assert.equal(trash.length, 1);
    assert.equal(readFileSync(join(root, 'trash', trash[0]!), 'utf8'), 'an old archive');
    await blobs.discard(old.digest);
    await blobs.emptyTrash();
    assert.deepEqual(readdirSync(join(root, 'trash')), []);
    assert.ok(existsSync(kept.path));
    // A store that never discarded anything has no trash to empty.
    await (await openBlobStore(mkdtempSync(join(root, 'other-')))).emptyTrash();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

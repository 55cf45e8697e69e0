/**
 * @module A blob prune racing an upload to a directory site never fails the upload nor leaves an image
 * file without its bytes: a blob that lost its last link while a distribution was about to link it is
 * put again, and uploads in progress are not pruned.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { blobPath, commitImage, imageDir, pruneBlobs, putBlob, storeFile } from '../../src/distribution/site-store.ts';

test('uploads of a blob that prunes keep removing all succeed, and every image file has its bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-prune-race-'));
  try {
    const root = join(dir, 'site');
    const bytes = Buffer.from(`layer ${Math.random()}\n`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    let pruned = 0;
    let stop = false;
    const pruner = (async () => {
      while (!stop) {
        pruned += await pruneBlobs(root);
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      for (let i = 0; i < 150; i++) {
        // The blob is in the store with no image linking it (nlink 1, as after its source and images went).
        const copy = join(dir, `copy-${i}`);
        writeFileSync(copy, bytes);
        await putBlob(root, sha, copy);
        rmSync(copy);
        const upload = join(dir, `upload-${i}`);
        writeFileSync(upload, bytes);
        await Promise.all([storeFile(root, `r/img-${i}`, 'layer.tar', sha, upload), pruneBlobs(root)]);
        rmSync(upload);
        await commitImage(root, `r/img-${i}`);
        assert.deepEqual(readFileSync(join(imageDir(root, `r/img-${i}`), 'layer.tar')), bytes, `image ${i}`);
        // The image's link keeps the blob; drop the image so the next round starts from an unlinked blob.
        rmSync(imageDir(root, `r/img-${i}`), { recursive: true });
      }
    } finally {
      stop = true;
      await pruner;
    }
    assert.ok(pruned > 0, 'the pruner did remove blobs while uploads ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an upload in progress (a .tmp- file) is not pruned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-prune-tmp-'));
  try {
    const root = join(dir, 'site');
    await putBlob(root, 'a'.repeat(64), (writeFileSync(join(dir, 's'), 'x'), join(dir, 's')));
    rmSync(join(dir, 's'));
    const tmp = `${blobPath(root, 'b'.repeat(64))}.tmp-1-2`;
    writeFileSync(tmp, 'half written');
    assert.equal(await pruneBlobs(root), 1, 'the unlinked blob goes');
    assert.equal(readFileSync(tmp, 'utf8'), 'half written', 'the upload in progress stays');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** @module The credential lookup cache: what another process changes is seen at once or within CREDENTIAL_CACHE_MS. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { openSqliteStore } from './index.ts';
import { CREDENTIAL_CACHE_MS } from './small-repositories.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-credentials-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('credential lookups: new keys at once, replaced secrets within the cache time', async () => {
  const file = join(dir, 'c.db');
  const server = openSqliteStore(file);
  const other = openSqliteStore(file); // stands for `ingot credentials create` in another process
  try {
    assert.equal(await server.credentials.get('AKIDNEW'), undefined);
    await other.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's1', accountId: '123456789012' });
    assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's1'); // a miss is never cached

    await other.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's2', accountId: '123456789012' });
    await sleep(CREDENTIAL_CACHE_MS + 50);
    assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's2');

    await server.credentials.put({ accessKeyId: 'AKIDNEW', secretAccessKey: 's3', accountId: '123456789012' });
    assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's3'); // this process's own change: at once

    const got = await server.credentials.get('AKIDNEW');
    got!.secretAccessKey = 'mutated by a caller';
    assert.equal((await server.credentials.get('AKIDNEW'))?.secretAccessKey, 's3');
  } finally {
    await server.close();
    await other.close();
  }
});

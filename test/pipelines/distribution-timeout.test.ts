/**
 * @module A bucket endpoint that accepts connections and never answers (issue 13 item 5): every S3 call of a
 * distribution and of its recovery fails after the site's timeout instead of hanging; the recovery keeps the
 * journal for the next reap and says why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
import { journalDir, newJournal, writeJournal } from '../../src/distribution/journal.ts';
import { reapDistributionLeftovers } from '../../src/distribution/leftovers.ts';
import { openSite } from '../../src/distribution/sites.ts';

const ACCOUNT = '123456789012';
let dir = '';
let silent: Server;
let config: IngotConfig;
const sockets = new Set<Socket>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-s3-timeout-'));
  silent = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address() as { port: number };
  config = {
    sites: {
      'us-silent-1': {
        s3: {
          endpoint: `http://127.0.0.1:${port}`,
          bucket: 'b',
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'secret',
          timeoutSeconds: 1,
        },
      },
    },
  };
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('an S3 call to a silent endpoint fails after the timeout (with its retries) instead of hanging', {
  timeout: 60_000,
}, async () => {
  const site = openSite(dir, config, 'us-silent-1', ACCOUNT);
  const started = Date.now();
  await assert.rejects(site.removeImage('us-east-1/ingot-x-1-0-0-1'), /DELETE s3:\/\/b\/.*: .*(timeout|timed out)/i);
  const took = Date.now() - started;
  assert.ok(took >= 1000 && took < 30_000, `took ${took} ms`);
});

test('recovery against a silent bucket keeps the journal for the next reap and says why', {
  timeout: 60_000,
}, async () => {
  const arn = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image/x/1.0.0/1`;
  await writeJournal(dir, {
    ...newJournal(arn, ACCOUNT, 'us-east-1/ingot-x-1-0-0-1'),
    regions: ['us-silent-1'],
    pid: 0,
  });
  const reasons: string[] = [];
  const undone = await reapDistributionLeftovers(
    dir,
    config,
    async () => 'FAILED',
    (r) => reasons.push(r),
  );
  assert.deepEqual(undone, [arn]);
  assert.equal(readdirSync(journalDir(dir)).filter((n) => n.endsWith('.json')).length, 1, 'the journal is kept');
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /region us-silent-1: DELETE s3:\/\/b\/.*(timeout|timed out).*retried on the next reap/i);
});

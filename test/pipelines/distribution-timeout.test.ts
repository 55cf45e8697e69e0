/**
 * @module A bucket endpoint that accepts connections and never answers (issue 13 item 5): every S3 call of a
 * distribution and of its recovery fails after the site's timeout instead of hanging; the recovery keeps the
 * journal for the next reap and says why; a distribution to it fails naming the region.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeFakeRootfsOutput } from '../helpers/fake-output.ts';
import type { IngotConfig } from '../../src/config/ingot-config.ts';
import { distribute, DistributionFailed } from '../../src/distribution/distribute.ts';
import { journalDir, newJournal, writeJournal } from '../../src/distribution/journal.ts';
import { reapDistributionLeftovers } from '../../src/distribution/leftovers.ts';

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

test('recovery against a silent bucket fails its S3 call after the timeout, keeps the journal for the next reap and says why', {
  timeout: 60_000,
}, async () => {
  const arn = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image/x/1.0.0/1`;
  await writeJournal(dir, {
    ...newJournal(arn, ACCOUNT, 'us-east-1/ingot-x-1-0-0-1'),
    regions: ['us-silent-1'],
    pid: 0,
  });
  const reasons: string[] = [];
  const started = Date.now();
  const undone = await reapDistributionLeftovers(
    dir,
    config,
    async () => 'FAILED',
    (r) => reasons.push(r),
  );
  const took = Date.now() - started;
  assert.ok(took >= 1000 && took < 30_000, `the DELETE (4 attempts of 1 s) took ${took} ms`);
  assert.deepEqual(undone, [arn]);
  assert.equal(readdirSync(journalDir(dir)).filter((n) => n.endsWith('.json')).length, 1, 'the journal is kept');
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /region us-silent-1: DELETE s3:\/\/b\/.*(timeout|timed out).*retried on the next reap/i);
});

test('a distribution to a silent bucket fails after the timeout, naming the region; its undo is left to recovery', {
  timeout: 60_000,
}, async () => {
  const outputDir = join(dir, 'out');
  const manifest = await writeFakeRootfsOutput(outputDir, 'x');
  const home = join(dir, 'home-distribute');
  const arn = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:image/x/1.0.0/2`;
  const started = Date.now();
  const err = await distribute({
    home,
    config,
    image: { arn, name: 'x', version: '1.0.0/2', type: 'AMI', dateCreated: new Date().toISOString() },
    distributions: [{ region: 'us-silent-1' }],
    outputDir,
    manifest,
    account: ACCOUNT,
    region: 'us-east-1',
  }).catch((e: unknown) => e);
  assert.ok(err instanceof DistributionFailed, String(err));
  assert.equal(err.target, 'region us-silent-1');
  assert.match(err.reason, /timeout|timed out/i);
  assert.ok(Date.now() - started < 45_000, `took ${Date.now() - started} ms`);
  assert.equal(readdirSync(journalDir(home)).filter((n) => n.endsWith('.json')).length, 1, 'journal for recovery');
});

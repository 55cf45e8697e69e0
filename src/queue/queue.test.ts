import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IngotError } from '../errors/ingot-error.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Job } from '../store/types.ts';
import { LEGACY_BUILD_KIND } from './job-kinds.ts';
import { claimJob, enqueueJob, legacyKind, typedJob } from './queue.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobs-queue-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const origin = { accountId: '111122223333', region: 'us-east-1' };

const stored = (kind: string, payload: Record<string, unknown>): Job => ({
  id: 'j1',
  kind,
  resourceArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/x/1.0.0/1',
  payload,
  state: 'queued',
  attempts: 0,
  maxAttempts: 1,
  leaseOwner: null,
  leaseExpiresAt: null,
  lastError: null,
  createdAt: '',
  updatedAt: '',
});

test('legacy build-image jobs map to their kind: mode, else the image build type', () => {
  assert.equal(legacyKind({ mode: 'distribute', retry: true }, 'USER_INITIATED'), 'image-distribute');
  assert.equal(legacyKind({ mode: 'import', uri: '/d.raw' }, undefined), 'image-import');
  assert.equal(legacyKind({}, 'IMPORT_ISO'), 'image-import');
  assert.equal(legacyKind({ mode: 'distribute' }, 'IMPORT_ISO'), 'image-distribute');
  assert.equal(legacyKind({}, 'SCHEDULED'), 'image-build');
  const typed = typedJob(stored(LEGACY_BUILD_KIND, { ...origin, mode: 'distribute', retry: true }));
  assert.equal(typed.kind, 'image-distribute');
  assert.deepEqual(typed.payload, origin, 'the legacy markers are dropped');
});

test('typedJob rejects unknown kinds and payloads that do not fit their kind', () => {
  assert.throws(
    () => typedJob(stored('mystery', origin)),
    (e: unknown) => e instanceof IngotError && /unknown kind 'mystery'/.test(e.message),
  );
  assert.throws(() => typedJob(stored('image-build', { region: 'us-east-1' })), /payload.accountId must be a string/);
  assert.throws(() => typedJob(stored('image-import', { ...origin, uri: 7 })), /payload.uri must be a string/);
  assert.throws(
    () => typedJob(stored('image-distribute', { ...origin, distributions: 'x' })),
    /distributions must be a list/,
  );
  const ok = typedJob(stored('image-import', { ...origin, uri: '/d.qcow2', format: 'qcow2' }));
  assert.equal(ok.kind === 'image-import' && ok.payload.uri, '/d.qcow2');
});

test('enqueued jobs are claimed typed, a legacy job from an old database too, a broken one is failed', async () => {
  const store = openSqliteStore(join(dir, 'q.db'));
  try {
    const arn = 'arn:aws:imagebuilder:us-east-1:111122223333:image/imp/1.0.0/1';
    await store.resources.insert({
      arn,
      type: 'image',
      account: origin.accountId,
      region: origin.region,
      name: 'imp',
      version: '1.0.0',
      build: 1,
      doc: { arn, buildType: 'IMPORT_ISO' },
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    await store.jobs.enqueue({ id: 'old', kind: LEGACY_BUILD_KIND, resourceArn: arn, payload: { ...origin } });
    await store.jobs.enqueue({ id: 'bad', kind: 'image-build', resourceArn: arn, payload: {} });
    await enqueueJob(store.jobs, {
      kind: 'image-distribute',
      resourceArn: arn,
      payload: { ...origin, distributions: [] },
    });
    const first = await claimJob(store, 'w1', 60_000);
    assert.equal(first?.id, 'old');
    assert.equal(first?.kind, 'image-import', 'a legacy job of an imported image is an import');
    const second = await claimJob(store, 'w1', 60_000);
    assert.equal(second?.kind, 'image-distribute', 'the broken job in between was skipped');
    assert.deepEqual(second?.kind === 'image-distribute' && second.payload.distributions, []);
    const bad = await store.jobs.get('bad');
    assert.equal(bad?.state, 'failed');
    assert.match(bad?.lastError ?? '', /payload.accountId must be a string/);
    assert.equal(await claimJob(store, 'w1', 60_000), undefined);
  } finally {
    await store.close();
  }
});

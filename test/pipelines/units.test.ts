/**
 * @module Small parts of the pipeline machinery without a server: output-name templates,
 * lifecycle rules (AGE with retainAtLeast, COUNT, exclusions, precedence), the schedule
 * compare-and-set across two store connections, and the image-event trigger.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandOutputName } from '../../src/distribution/templates.ts';
import { planActions } from '../../src/lifecycle/rules.ts';
import type { Image, LifecyclePolicy } from '../../src/model/generated/shapes.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { ResourceRecord } from '../../src/store/types.ts';

test('output names expand buildVersion and buildDate', () => {
  const facts = { dateCreated: new Date('2026-11-25T06:39:09.123Z'), buildVersion: 7 };
  assert.equal(
    expandOutputName('app-{{ imagebuilder:buildVersion }}-{{imagebuilder:buildDate}}', facts),
    'app-7-2026-11-25T06-39-09Z',
  );
  assert.equal(expandOutputName('{{ imagebuilder:other }}', facts), '{{ imagebuilder:other }}');
  assert.equal(expandOutputName('app-{{imagebuilder:buildDate:yyyyMMddHHmmss}}', facts), 'app-20261125063909');
});

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-25T00:00:00Z');
function image(name: string, build: number, ageDays: number, tags?: Record<string, string>): ResourceRecord<Image> {
  const created = new Date(NOW - ageDays * DAY).toISOString();
  const arn = `arn:aws:imagebuilder:us-east-1:123456789012:image/${name}/1.0.0/${build}`;
  return {
    arn,
    type: 'image',
    account: '123456789012',
    region: 'us-east-1',
    name,
    version: '1.0.0',
    build,
    createdAt: created,
    updatedAt: created,
    doc: { arn, name, dateCreated: created, ...(tags ? { tags } : {}) },
  };
}

test('lifecycle rules: AGE keeps retainAtLeast, COUNT is per recipe, exclusions spare, DELETE wins', () => {
  const images = [
    image('a', 1, 40),
    image('a', 2, 35),
    image('a', 3, 31, { keep: '1' }),
    image('a', 4, 1),
    image('b', 1, 50),
    image('b', 2, 45),
  ];
  const policy: LifecyclePolicy = {
    policyDetails: [
      { action: { type: 'DEPRECATE' }, filter: { type: 'COUNT', value: 1 } },
      {
        action: { type: 'DELETE' },
        filter: { type: 'AGE', value: 30, unit: 'DAYS', retainAtLeast: 1 },
        exclusionRules: { tagMap: { keep: '1' } },
      },
    ],
  };
  const plan = planActions(policy, images, NOW).map((p) => `${p.image.name}/${p.image.build}:${p.action}`);
  assert.deepEqual(plan, ['b/1:DELETE', 'a/1:DELETE', 'a/2:DELETE', 'a/3:DEPRECATE']);
});

test('the schedule compare-and-set lets only one of two connections claim a match', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-units-'));
  const a = openSqliteStore(join(dir, 'db'));
  const b = openSqliteStore(join(dir, 'db'));
  try {
    await a.schedules.put({ pipelineArn: 'p', nextRun: 1000, lastFired: null, lastFingerprint: null });
    const next = { pipelineArn: 'p', nextRun: 2000, lastFired: 1000, lastFingerprint: null };
    // (Two connections of one process must not hold write transactions at once: one after the other.)
    assert.equal(await a.schedules.advance('p', 1000, next), true);
    assert.equal(await b.schedules.advance('p', 1000, next), false, 'the match was claimed already');
    assert.equal((await b.schedules.get('p'))?.nextRun, 2000);
    const now = new Date().toISOString();
    const doc = { arn: 'i', state: { status: 'PENDING' } };
    await a.resources.insert({
      arn: 'i',
      type: 'image',
      account: '1',
      region: 'r',
      name: 'i',
      version: '1.0.0',
      build: 1,
      doc,
      createdAt: now,
      updatedAt: now,
    });
    await b.resources.update('i', { ...doc, tags: { x: 'y' } }); // no state change: no event
    await b.resources.update('i', { ...doc, state: { status: 'BUILDING' } });
    assert.deepEqual(
      (await a.events.imageEvents(0, 10)).map((e) => e.status),
      ['PENDING', 'BUILDING'],
    );
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

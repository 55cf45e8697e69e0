/** @module Tests of AWS cron expressions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchedule, nextRun, ratePeriod } from './schedule.ts';

test('AWS cron: weekday numbering, L, # and time zones', () => {
  const from = new Date('2026-11-25T00:00:00Z'); // a Wednesday
  assert.equal(nextRun({ scheduleExpression: 'cron(0 3 ? * 2 *)' }, from)?.toISOString(), '2026-11-30T03:00:00.000Z'); // 2 = Monday
  assert.equal(nextRun({ scheduleExpression: 'cron(30 1 L * ? *)' }, from)?.toISOString(), '2026-11-30T01:30:00.000Z');
  assert.equal(nextRun({ scheduleExpression: 'cron(0 9 ? * 6L *)' }, from)?.toISOString(), '2026-11-27T09:00:00.000Z'); // last Friday
  assert.equal(nextRun({ scheduleExpression: 'cron(0 0 ? * 2#1 *)' }, from)?.toISOString(), '2026-12-07T00:00:00.000Z');
  assert.equal(
    nextRun({ scheduleExpression: 'cron(0 8 * * ? *)', timezone: 'Europe/Berlin' }, from)?.toISOString(),
    '2026-11-25T07:00:00.000Z',
  );
  assert.equal(
    nextRun({ scheduleExpression: 'cron(0/15 * * * ? *)' }, from)?.toISOString(),
    '2026-11-25T00:15:00.000Z',
  );
});

test('bad schedules are refused with the reason', () => {
  assert.throws(() => checkSchedule({ scheduleExpression: 'every 5 minutes' }), /neither a cron nor a rate/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'rate(0 days)' }), /at least 1/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'rate(2 weeks)' }), /not a rate expression/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'rate(1.5 hours)' }), /not a rate expression/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'rate(7 days)', timezone: 'Mars/Olympus' }), /IANA/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 * * *)' }), /has 5 fields/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 1 * MON *)' }), /must be '\?'/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 25 * * ? *)' }), /not valid/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 * * ? *)', timezone: 'Mars/Olympus' }), /IANA/);
});

test('rate expressions (as the AWS CDK emits them) fire every period counted from when the schedule was set', () => {
  assert.equal(ratePeriod('rate(7 days)'), 7 * 86_400_000);
  assert.equal(ratePeriod('rate(1 minute)'), 60_000);
  assert.equal(ratePeriod('rate(12 hours)'), 12 * 3_600_000);
  assert.equal(ratePeriod('cron(0 0 * * ? *)'), undefined);
  for (const e of [
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(2 hours)',
    'rate(1 day)',
    'rate(7 days)',
  ]) {
    assert.doesNotThrow(() => checkSchedule({ scheduleExpression: e }), e);
  }
  const anchor = new Date('2026-11-25T10:00:00Z');
  const week = { scheduleExpression: 'rate(7 days)' };
  // Just after being set: one period later, never at the anchor itself.
  assert.equal(nextRun(week, anchor, anchor)?.toISOString(), '2026-12-02T10:00:00.000Z');
  assert.equal(nextRun(week, new Date('2026-12-02T09:59:59Z'), anchor)?.toISOString(), '2026-12-02T10:00:00.000Z');
  // Strictly after: at a match, the next one.
  assert.equal(nextRun(week, new Date('2026-12-02T10:00:00Z'), anchor)?.toISOString(), '2026-12-09T10:00:00.000Z');
  // A clock behind the anchor still gets the first run one period after the anchor.
  assert.equal(nextRun(week, new Date('2026-11-01T00:00:00Z'), anchor)?.toISOString(), '2026-12-02T10:00:00.000Z');
  assert.equal(
    nextRun({ scheduleExpression: 'rate(5 minutes)' }, new Date('2026-11-25T10:07:00Z'), anchor)?.toISOString(),
    '2026-11-25T10:10:00.000Z',
  );
});

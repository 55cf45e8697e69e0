/** @module Tests of AWS cron expressions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchedule, nextRun } from './schedule.ts';

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
  assert.throws(() => checkSchedule({ scheduleExpression: 'rate(5 minutes)' }), /not a cron expression/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 * * *)' }), /has 5 fields/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 1 * MON *)' }), /must be '\?'/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 25 * * ? *)' }), /not valid/);
  assert.throws(() => checkSchedule({ scheduleExpression: 'cron(0 0 * * ? *)', timezone: 'Mars/Olympus' }), /IANA/);
});

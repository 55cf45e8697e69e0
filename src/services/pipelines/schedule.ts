/**
 * @module Pipeline schedules in AWS's form: `cron(MIN HOUR DOM MONTH DOW YEAR)` (six fields; `?`,
 * `L`, `W`, `#`, ranges, steps; day-of-week 1-7 = SUN-SAT) in an IANA time zone, evaluated by
 * croner (chosen for its Quartz-compatible `L`/`W`/`#` and time-zone support); or EventBridge's
 * `rate(N minute|minutes|hour|hours|day|days)` (what the AWS CDK emits), counted from an anchor.
 */
import { Cron } from 'croner';
import { IngotError } from '../../errors/ingot-error.ts';
import type { Schedule } from '../../model/generated/shapes.ts';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The period of a `rate(N unit)` expression in ms, undefined when it is not one; throws when it is a bad one. */
export function ratePeriod(expression: string): number | undefined {
  const m = /^rate\((.*)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const r = /^\s*(\d+)\s+(minute|hour|day)s?\s*$/.exec(m[1]!);
  const n = r ? Number(r[1]) : 0;
  if (!r || !Number.isSafeInteger(n) || n < 1) {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}' is not a rate expression; write rate(N minutes|hours|days) with a whole N of at least 1, e.g. rate(7 days).`,
    );
  }
  return n * UNIT_MS[r[2]!]!;
}

/** Compiles an AWS cron expression; throws a 400 naming the problem. */
export function compileSchedule(schedule: Schedule): Cron {
  const expression = schedule.scheduleExpression ?? '';
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}' is neither a cron nor a rate expression; write cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), e.g. cron(0 3 ? * MON *), or rate(N minutes|hours|days), e.g. rate(7 days).`,
    );
  }
  const fields = m[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}' has ${fields.length} fields; AWS cron expressions have 6 (minutes hours day-of-month month day-of-week year).`,
    );
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?') {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}': one of day-of-month and day-of-week must be '?'.`,
    );
  }
  const timezone = schedule.timezone ?? 'Etc/UTC';
  checkTimezone(timezone);
  // croner writes "last Friday" as 6#L where AWS writes 6L; AWS allows 0/15 steps (sloppyRanges).
  const croneDow = dow.replace(/^([0-9A-Za-z]+)L$/, '$1#L');
  try {
    return new Cron(`0 ${min} ${hour} ${dom} ${month} ${croneDow} ${year}`, {
      timezone,
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      paused: true,
    });
  } catch (err) {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}' is not valid: ${err instanceof Error ? err.message : String(err)}.`,
    );
  }
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.timezone: '${timezone}' is not an IANA time zone (for example Etc/UTC or Europe/Berlin).`,
    );
  }
}

export function checkSchedule(schedule: Schedule): void {
  if (schedule.scheduleExpression === undefined) return;
  if (ratePeriod(schedule.scheduleExpression) !== undefined) {
    checkTimezone(schedule.timezone ?? 'Etc/UTC');
    return;
  }
  compileSchedule(schedule).stop();
}

/**
 * The first run strictly after `after`, or undefined when the expression never fires again. A rate
 * fires every period counted from `anchor` (when the schedule was set, as EventBridge counts from
 * the rule's creation; the Unix epoch when not given).
 */
export function nextRun(schedule: Schedule, after: Date, anchor: Date = new Date(0)): Date | undefined {
  const period = ratePeriod(schedule.scheduleExpression ?? '');
  if (period !== undefined) {
    // The first run is one period after the anchor (never at it), then every period.
    const start = anchor.getTime();
    const periods = Math.max(1, Math.floor((after.getTime() - start) / period) + 1);
    return new Date(start + periods * period);
  }
  const cron = compileSchedule(schedule);
  const next = cron.nextRun(after) ?? undefined;
  cron.stop();
  return next;
}

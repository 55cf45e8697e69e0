/**
 * @module Pipeline schedules in AWS's form: `cron(MIN HOUR DOM MONTH DOW YEAR)` (six fields; `?`,
 * `L`, `W`, `#`, ranges, steps; day-of-week 1-7 = SUN-SAT) in an IANA time zone. Evaluated by
 * croner (chosen for its Quartz-compatible `L`/`W`/`#` and time-zone support).
 */
import { Cron } from 'croner';
import { IngotError } from '../../errors/ingot-error.ts';
import type { Schedule } from '../../model/generated/shapes.ts';

/** Compiles an AWS cron expression; throws a 400 naming the problem. */
export function compileSchedule(schedule: Schedule): Cron {
  const expression = schedule.scheduleExpression ?? '';
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) {
    throw new IngotError(
      'InvalidParameterValueException',
      `schedule.scheduleExpression: '${expression}' is not a cron expression; write cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), e.g. cron(0 3 ? * MON *).`,
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
  compileSchedule(schedule).stop();
}

/** The first run strictly after `after`, or undefined when the expression never fires again. */
export function nextRun(schedule: Schedule, after: Date): Date | undefined {
  const cron = compileSchedule(schedule);
  const next = cron.nextRun(after) ?? undefined;
  cron.stop();
  return next;
}

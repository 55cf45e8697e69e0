/**
 * @module SQLite `ScheduleRepository`: per-pipeline scheduler state with a compare-and-set advance,
 * so two schedulers on one database never fire the same cron match twice.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ScheduleRepository, ScheduleState } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

interface Row {
  pipeline_arn: string;
  next_run: number | null;
  last_fired: number | null;
  last_fingerprint: string | null;
}

const toState = (r: Row): ScheduleState => ({
  pipelineArn: r.pipeline_arn,
  nextRun: r.next_run,
  lastFired: r.last_fired,
  lastFingerprint: r.last_fingerprint,
});

export class SqliteSchedules implements ScheduleRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async get(pipelineArn: string): Promise<ScheduleState | undefined> {
    const row = statement(this.#db, 'SELECT * FROM pipeline_schedules WHERE pipeline_arn = ?').get(pipelineArn) as
      | Row
      | undefined;
    return row ? toState(row) : undefined;
  }

  put(s: ScheduleState): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        `INSERT INTO pipeline_schedules (pipeline_arn, next_run, last_fired, last_fingerprint, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pipeline_arn) DO UPDATE SET next_run = excluded.next_run, last_fired = excluded.last_fired,
           last_fingerprint = excluded.last_fingerprint, updated_at = excluded.updated_at`,
      ).run(s.pipelineArn, s.nextRun, s.lastFired, s.lastFingerprint, new Date().toISOString());
    });
  }

  advance(pipelineArn: string, expectedNextRun: number | null, s: ScheduleState): Promise<boolean> {
    return this.#lock.write(async () => {
      const current = await this.get(pipelineArn);
      if ((current?.nextRun ?? null) !== expectedNextRun) return false;
      await this.put(s);
      return true;
    });
  }

  delete(pipelineArn: string): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'DELETE FROM pipeline_schedules WHERE pipeline_arn = ?').run(pipelineArn);
    });
  }
}

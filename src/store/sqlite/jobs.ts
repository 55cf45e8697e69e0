/**
 * @module SQLite job queue: durable jobs with attempts and a visibility timeout (lease). A claim
 * is one UPDATE ... RETURNING, so two workers (threads or processes) never take the same job.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Job, JobQueue, JobState } from '../types.ts';
import { type JobRow, toJob } from '../rows.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteJobQueue implements JobQueue {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;
  readonly #defaultMaxAttempts: number;

  constructor(db: DatabaseSync, lock: WriteLock, defaultMaxAttempts = 1) {
    this.#db = db;
    this.#lock = lock;
    this.#defaultMaxAttempts = defaultMaxAttempts;
  }

  enqueue(job: {
    id: string;
    kind: string;
    resourceArn: string;
    payload?: Record<string, unknown>;
    maxAttempts?: number;
  }): Promise<Job> {
    return this.#lock.write(() => {
      const now = new Date().toISOString();
      const seq = (statement(this.#db, 'SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM jobs').get() as { s: number }).s;
      const row = statement(
        this.#db,
        `INSERT INTO jobs (id, kind, resource_arn, payload, state, attempts, max_attempts, seq, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) RETURNING *`,
      ).get(
        job.id,
        job.kind,
        job.resourceArn,
        JSON.stringify(job.payload ?? {}),
        job.maxAttempts ?? this.#defaultMaxAttempts,
        seq,
        now,
        now,
      ) as unknown as JobRow;
      return toJob(row);
    });
  }

  claim(
    workerId: string,
    leaseMs: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job | undefined> {
    return this.#lock.write(() => {
      const now = Date.now();
      const kindFilter =
        (kinds?.length ? `AND kind IN (${kinds.map(() => '?').join(',')})` : '') +
        (onlyIds ? ` AND id IN (${onlyIds.map(() => '?').join(',') || 'NULL'})` : '');
      const row = statement(
        this.#db,
        `UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = (SELECT id FROM jobs
                     WHERE (state = 'queued' OR (state = 'running' AND lease_expires_at < ? AND attempts < max_attempts)) ${kindFilter}
                     ORDER BY seq LIMIT 1)
         RETURNING *`,
      ).get(workerId, now + leaseMs, new Date(now).toISOString(), now, ...(kinds ?? []), ...(onlyIds ?? [])) as
        | JobRow
        | undefined;
      return row ? toJob(row) : undefined;
    });
  }

  claimBatch(
    workerId: string,
    leaseMs: number,
    limit: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job[]> {
    return this.#lock.write(() => {
      const now = Date.now();
      const kindFilter =
        (kinds?.length ? `AND kind IN (${kinds.map(() => '?').join(',')})` : '') +
        (onlyIds ? ` AND id IN (${onlyIds.map(() => '?').join(',') || 'NULL'})` : '');
      const rows = statement(
        this.#db,
        `UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id IN (SELECT id FROM jobs
                      WHERE (state = 'queued' OR (state = 'running' AND lease_expires_at < ? AND attempts < max_attempts)) ${kindFilter}
                      ORDER BY seq LIMIT ?)
         RETURNING *`,
      ).all(
        workerId,
        now + leaseMs,
        new Date(now).toISOString(),
        now,
        ...(kinds ?? []),
        ...(onlyIds ?? []),
        Math.max(1, Math.floor(limit)),
      ) as unknown as (JobRow & { seq: number })[];
      return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toJob);
    });
  }

  async claimable(kinds: readonly string[], limit: number): Promise<Job[]> {
    // The queued and the lease-expired jobs as two index walks in seq order, each stopping after
    // `limit` rows, then merged: one WHERE with OR made SQLite read and sort every queued job,
    // each claim costing more as the queue grew.
    const kindIn = `kind IN (${kinds.map((_, i) => `?${i + 3}`).join(',') || 'NULL'})`;
    const rows = statement(
      this.#db,
      `SELECT * FROM (SELECT * FROM jobs WHERE state = 'queued' AND ${kindIn} ORDER BY seq LIMIT ?1)
       UNION ALL
       SELECT * FROM (SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at < ?2 AND attempts < max_attempts AND ${kindIn} ORDER BY seq LIMIT ?1)
       ORDER BY seq LIMIT ?1`,
    ).all(limit, Date.now(), ...kinds) as unknown as JobRow[];
    return rows.map(toJob);
  }

  heartbeat(jobId: string, workerId: string, leaseMs: number, liveAt?: number): Promise<boolean> {
    return this.#lock.write(() => {
      const r = statement(
        this.#db,
        `UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'${liveAt === undefined ? '' : ' AND (lease_expires_at IS NULL OR lease_expires_at >= ?)'}`,
      ).run((liveAt ?? Date.now()) + leaseMs, jobId, workerId, ...(liveAt === undefined ? [] : [liveAt]));
      return Number(r.changes) > 0;
    });
  }

  finishLeased(
    jobId: string,
    workerId: string,
    state: 'succeeded' | 'failed' | 'cancelled',
    now: number,
  ): Promise<boolean> {
    return this.#lock.write(() => {
      const r = statement(
        this.#db,
        `UPDATE jobs SET state = ?, last_error = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?
         AND (state = 'cancelled' OR (state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at >= ?)))`,
      ).run(state, new Date().toISOString(), jobId, workerId, now);
      return Number(r.changes) > 0;
    });
  }

  finish(jobId: string, workerId: string, state: 'succeeded' | 'failed' | 'cancelled', error?: string): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        "UPDATE jobs SET state = ?, last_error = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND (lease_owner = ? OR state = 'queued')",
      ).run(state, error ?? null, new Date().toISOString(), jobId, workerId);
    });
  }

  unclaim(jobId: string, workerId: string): Promise<boolean> {
    return this.#lock.write(() => {
      const r = statement(
        this.#db,
        `UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = MAX(attempts - 1, 0), updated_at = ?
         WHERE id = ? AND lease_owner = ? AND state = 'running'`,
      ).run(new Date().toISOString(), jobId, workerId);
      return Number(r.changes) > 0;
    });
  }

  release(jobId: string, workerId: string, error: string): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, last_error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
      ).run(error, new Date().toISOString(), jobId, workerId);
    });
  }

  cancel(jobId: string, reason: string): Promise<boolean> {
    return this.#lock.write(() => {
      const r = statement(
        this.#db,
        "UPDATE jobs SET state = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND state IN ('queued', 'running')",
      ).run(reason, new Date().toISOString(), jobId);
      return Number(r.changes) > 0;
    });
  }

  async get(jobId: string): Promise<Job | undefined> {
    const row = statement(this.#db, 'SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  async byResource(resourceArn: string): Promise<Job[]> {
    return (
      statement(this.#db, 'SELECT * FROM jobs WHERE resource_arn = ? ORDER BY seq').all(
        resourceArn,
      ) as unknown as JobRow[]
    ).map(toJob);
  }

  async countByState(): Promise<Partial<Record<JobState, number>>> {
    const rows = statement(this.#db, 'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as {
      state: JobState;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async runningJobs(leaseOwner?: string): Promise<Job[]> {
    const rows =
      leaseOwner === undefined
        ? statement(this.#db, "SELECT * FROM jobs WHERE state = 'running' ORDER BY seq").all()
        : statement(this.#db, "SELECT * FROM jobs WHERE state = 'running' AND lease_owner = ? ORDER BY seq").all(
            leaseOwner,
          );
    return (rows as unknown as JobRow[]).map(toJob);
  }

  failExpired(now: number): Promise<Job[]> {
    return this.#lock.write(() => {
      const rows = statement(
        this.#db,
        `UPDATE jobs SET state = 'failed', last_error = COALESCE(last_error, 'worker lost (lease expired)'), updated_at = ?
         WHERE state = 'running' AND lease_expires_at < ? AND attempts >= max_attempts RETURNING *`,
      ).all(new Date(now).toISOString(), now) as unknown as JobRow[];
      return rows.map(toJob);
    });
  }

  watch(onQueued: () => void): () => void {
    // SQLite tells no one of a commit: `PRAGMA data_version` changes when another connection
    // (another process) has committed, which is checked every WATCH_MS (a few µs each). This
    // process's own enqueues are announced by its caller.
    let version = this.#dataVersion();
    const timer = setInterval(() => {
      const now = this.#dataVersion();
      if (now === version) return;
      version = now;
      onQueued();
    }, WATCH_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  #dataVersion(): number {
    try {
      return (statement(this.#db, 'PRAGMA data_version').get() as { data_version: number }).data_version;
    } catch {
      return -1; // closed
    }
  }
}

/** How often `watch` looks for other processes' commits. */
const WATCH_MS = 25;

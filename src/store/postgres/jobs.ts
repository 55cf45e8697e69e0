/**
 * @module PostgreSQL job queue: a claim takes the oldest runnable row with FOR UPDATE SKIP LOCKED,
 * so any number of workers and servers on one database never take the same job.
 */
import type { Job, JobQueue, JobState } from '../types.ts';
import { type JobRow, toJob } from '../rows.ts';
import type { PgDatabase } from './database.ts';

export class PgJobQueue implements JobQueue {
  readonly #db: PgDatabase;
  readonly #defaultMaxAttempts: number;

  constructor(db: PgDatabase, defaultMaxAttempts = 1) {
    this.#db = db;
    this.#defaultMaxAttempts = defaultMaxAttempts;
  }

  async enqueue(job: {
    id: string;
    kind: string;
    resourceArn: string;
    payload?: Record<string, unknown>;
    maxAttempts?: number;
  }): Promise<Job> {
    const now = new Date().toISOString();
    const row = await this.#db.one<JobRow>(
      `INSERT INTO jobs (id, kind, resource_arn, payload, state, attempts, max_attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6) RETURNING *`,
      [
        job.id,
        job.kind,
        job.resourceArn,
        JSON.stringify(job.payload ?? {}),
        job.maxAttempts ?? this.#defaultMaxAttempts,
        now,
      ],
    );
    return toJob(row!);
  }

  async claim(
    workerId: string,
    leaseMs: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job | undefined> {
    const now = Date.now();
    const args: (string | number | readonly string[])[] = [workerId, now + leaseMs, new Date(now).toISOString(), now];
    let filter = '';
    if (kinds?.length) filter += ` AND kind = ANY($${args.push(kinds)}::text[])`;
    if (onlyIds) filter += ` AND id = ANY($${args.push(onlyIds)}::text[])`;
    const row = await this.#db.one<JobRow>(
      `UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, updated_at = $3
       WHERE id = (SELECT id FROM jobs
                   WHERE (state = 'queued' OR (state = 'running' AND lease_expires_at < $4 AND attempts < max_attempts))${filter}
                   ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      args,
    );
    return row ? toJob(row) : undefined;
  }

  async claimBatch(
    workerId: string,
    leaseMs: number,
    limit: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job[]> {
    const now = Date.now();
    const args: (string | number | readonly string[])[] = [
      workerId,
      now + leaseMs,
      new Date(now).toISOString(),
      now,
      Math.max(1, Math.floor(limit)),
    ];
    let filter = '';
    if (kinds?.length) filter += ` AND kind = ANY($${args.push(kinds)}::text[])`;
    if (onlyIds) filter += ` AND id = ANY($${args.push(onlyIds)}::text[])`;
    const rows = await this.#db.query<JobRow & { seq: number }>(
      `UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, updated_at = $3
       WHERE id IN (SELECT id FROM jobs
                    WHERE (state = 'queued' OR (state = 'running' AND lease_expires_at < $4 AND attempts < max_attempts))${filter}
                    ORDER BY seq LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      args,
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toJob);
  }

  async claimable(kinds: readonly string[], limit: number): Promise<Job[]> {
    // Two index walks in seq order that stop after `limit` rows, merged (one WHERE with OR read
    // and sorted every queued job, as in the SQLite store).
    const rows = await this.#db.query<JobRow>(
      `(SELECT * FROM jobs WHERE state = 'queued' AND kind = ANY($2::text[]) ORDER BY seq LIMIT $3)
       UNION ALL
       (SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at < $1 AND attempts < max_attempts AND kind = ANY($2::text[]) ORDER BY seq LIMIT $3)
       ORDER BY seq LIMIT $3`,
      [Date.now(), kinds, limit],
    );
    return rows.map(toJob);
  }

  async heartbeat(jobId: string, workerId: string, leaseMs: number, liveAt?: number): Promise<boolean> {
    return (
      (await this.#db.count(
        `UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'${liveAt === undefined ? '' : ' AND (lease_expires_at IS NULL OR lease_expires_at >= $4)'}`,
        [(liveAt ?? Date.now()) + leaseMs, jobId, workerId, ...(liveAt === undefined ? [] : [liveAt])],
      )) > 0
    );
  }

  async finishLeased(
    jobId: string,
    workerId: string,
    state: 'succeeded' | 'failed' | 'cancelled',
    now: number,
  ): Promise<boolean> {
    return (
      (await this.#db.count(
        `UPDATE jobs SET state = $1, last_error = NULL, lease_expires_at = NULL, updated_at = $2 WHERE id = $3 AND lease_owner = $4
         AND (state = 'cancelled' OR (state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at >= $5)))`,
        [state, new Date().toISOString(), jobId, workerId, now],
      )) > 0
    );
  }

  async finish(
    jobId: string,
    workerId: string,
    state: 'succeeded' | 'failed' | 'cancelled',
    error?: string,
  ): Promise<void> {
    await this.#db.query(
      "UPDATE jobs SET state = $1, last_error = $2, lease_expires_at = NULL, updated_at = $3 WHERE id = $4 AND (lease_owner = $5 OR state = 'queued')",
      [state, error ?? null, new Date().toISOString(), jobId, workerId],
    );
  }

  async unclaim(jobId: string, workerId: string): Promise<boolean> {
    return (
      (await this.#db.count(
        `UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = GREATEST(attempts - 1, 0), updated_at = $1
         WHERE id = $2 AND lease_owner = $3 AND state = 'running'`,
        [new Date().toISOString(), jobId, workerId],
      )) > 0
    );
  }

  async release(jobId: string, workerId: string, error: string): Promise<void> {
    await this.#db.query(
      "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, last_error = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4",
      [error, new Date().toISOString(), jobId, workerId],
    );
  }

  async cancel(jobId: string, reason: string): Promise<boolean> {
    return (
      (await this.#db.count(
        "UPDATE jobs SET state = 'cancelled', last_error = $1, updated_at = $2 WHERE id = $3 AND state IN ('queued', 'running')",
        [reason, new Date().toISOString(), jobId],
      )) > 0
    );
  }

  async get(jobId: string): Promise<Job | undefined> {
    const row = await this.#db.one<JobRow>('SELECT * FROM jobs WHERE id = $1', [jobId]);
    return row ? toJob(row) : undefined;
  }

  async byResource(resourceArn: string): Promise<Job[]> {
    return (await this.#db.query<JobRow>('SELECT * FROM jobs WHERE resource_arn = $1 ORDER BY seq', [resourceArn])).map(
      toJob,
    );
  }

  async countByState(): Promise<Partial<Record<JobState, number>>> {
    const rows = await this.#db.query<{ state: JobState; n: string }>(
      'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state',
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async runningJobs(leaseOwner?: string): Promise<Job[]> {
    const rows =
      leaseOwner === undefined
        ? await this.#db.query<JobRow>("SELECT * FROM jobs WHERE state = 'running' ORDER BY seq")
        : await this.#db.query<JobRow>("SELECT * FROM jobs WHERE state = 'running' AND lease_owner = $1 ORDER BY seq", [
            leaseOwner,
          ]);
    return rows.map(toJob);
  }

  async failExpired(now: number): Promise<Job[]> {
    const rows = await this.#db.query<JobRow>(
      `UPDATE jobs SET state = 'failed', last_error = COALESCE(last_error, 'worker lost (lease expired)'), updated_at = $1
       WHERE state = 'running' AND lease_expires_at < $2 AND attempts >= max_attempts RETURNING *`,
      [new Date(now).toISOString(), now],
    );
    return rows.map(toJob);
  }

  watch(onQueued: () => void): () => void {
    return this.#db.listen(JOBS_CHANNEL, onQueued);
  }
}

/** Channel of the jobs table's trigger `jobs_queued` (see migrations.ts): a job became queued. */
const JOBS_CHANNEL = 'ingot_jobs_queued';

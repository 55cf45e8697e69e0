/**
 * @module PostgreSQL stores of the operations side: schedule state (an atomic compare-and-set, so
 * one cron match fires once however many schedulers run), the append-only audit log, lifecycle
 * executions, and the registry of the farm's build hosts.
 */
import type {
  AuditEntry,
  AuditRepository,
  LifecycleExecutionRecord,
  LifecycleExecutionRepository,
  ScheduleRepository,
  ScheduleState,
  WorkerRecord,
  WorkerRegistry,
} from '../types.ts';
import type { Param, PgDatabase } from './database.ts';

interface ScheduleRow {
  pipeline_arn: string;
  next_run: number | null;
  last_fired: number | null;
  last_fingerprint: string | null;
}

const toState = (r: ScheduleRow): ScheduleState => ({
  pipelineArn: r.pipeline_arn,
  nextRun: r.next_run,
  lastFired: r.last_fired,
  lastFingerprint: r.last_fingerprint,
});

export class PgSchedules implements ScheduleRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get(pipelineArn: string): Promise<ScheduleState | undefined> {
    const row = await this.#db.one<ScheduleRow>('SELECT * FROM pipeline_schedules WHERE pipeline_arn = $1', [
      pipelineArn,
    ]);
    return row ? toState(row) : undefined;
  }

  async put(s: ScheduleState): Promise<void> {
    await this.#db.query(
      `INSERT INTO pipeline_schedules (pipeline_arn, next_run, last_fired, last_fingerprint, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (pipeline_arn) DO UPDATE SET next_run = excluded.next_run, last_fired = excluded.last_fired,
         last_fingerprint = excluded.last_fingerprint, updated_at = excluded.updated_at`,
      [s.pipelineArn, s.nextRun, s.lastFired, s.lastFingerprint, new Date().toISOString()],
    );
  }

  async advance(pipelineArn: string, expectedNextRun: number | null, s: ScheduleState): Promise<boolean> {
    const values = [pipelineArn, s.nextRun, s.lastFired, s.lastFingerprint, new Date().toISOString()];
    // One statement either way: the row lock (or the primary key) lets exactly one scheduler win.
    const updated = await this.#db.count(
      `UPDATE pipeline_schedules SET next_run = $2, last_fired = $3, last_fingerprint = $4, updated_at = $5
       WHERE pipeline_arn = $1 AND next_run IS NOT DISTINCT FROM $6`,
      [...values, expectedNextRun],
    );
    if (updated > 0) return true;
    if (expectedNextRun !== null) return false;
    const inserted = await this.#db.count(
      `INSERT INTO pipeline_schedules (pipeline_arn, next_run, last_fired, last_fingerprint, updated_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      values,
    );
    return inserted > 0;
  }

  async delete(pipelineArn: string): Promise<void> {
    await this.#db.query('DELETE FROM pipeline_schedules WHERE pipeline_arn = $1', [pipelineArn]);
  }
}

interface AuditRow {
  seq: number;
  at: string;
  account: string | null;
  access_key: string | null;
  operation: string;
  resource_arn: string | null;
  source_ip: string | null;
  outcome: string;
  request_id: string | null;
}

export class PgAudit implements AuditRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async append(e: AuditEntry): Promise<void> {
    await this.#db.query(
      'INSERT INTO audit_log (at, account, access_key, operation, resource_arn, source_ip, outcome, request_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
      [e.at, e.accountId, e.accessKeyId, e.operation, e.resourceArn, e.sourceIp, e.outcome, e.requestId],
    );
  }

  async query(q: { since?: string; operation?: string; requestId?: string; limit?: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: Param[] = [];
    const arg = (v: Param) => (args.push(v), `$${args.length}`);
    if (q.since !== undefined) where.push(`at >= ${arg(q.since)}`);
    if (q.operation !== undefined) where.push(`operation = ${arg(q.operation)}`);
    if (q.requestId !== undefined) where.push(`request_id = ${arg(q.requestId)}`);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ${arg(q.limit ?? 10_000)}`;
    return (await this.#db.query<AuditRow>(sql, args)).map((r) => ({
      seq: r.seq,
      at: r.at,
      accountId: r.account,
      accessKeyId: r.access_key,
      operation: r.operation,
      resourceArn: r.resource_arn,
      sourceIp: r.source_ip,
      outcome: r.outcome,
      requestId: r.request_id,
    }));
  }
}

interface ExecutionRow {
  id: string;
  policy_arn: string;
  doc: string;
  started_at: string;
}

const toExecution = (r: ExecutionRow): LifecycleExecutionRecord => ({
  id: r.id,
  policyArn: r.policy_arn,
  doc: JSON.parse(r.doc) as Record<string, unknown>,
  startedAt: r.started_at,
});

export class PgLifecycleExecutions implements LifecycleExecutionRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  put(record: LifecycleExecutionRecord, resources: readonly Record<string, unknown>[]): Promise<void> {
    return this.#db.transaction(async () => {
      await this.#db.query(
        'INSERT INTO lifecycle_executions (id, policy_arn, doc, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
        [record.id, record.policyArn, JSON.stringify(record.doc), record.startedAt],
      );
      await this.#db.query('DELETE FROM lifecycle_execution_resources WHERE execution_id = $1', [record.id]);
      for (const [i, r] of resources.entries()) {
        const arn = typeof r['resourceId'] === 'string' ? r['resourceId'] : null;
        await this.#db.query(
          'INSERT INTO lifecycle_execution_resources (execution_id, seq, resource_arn, doc) VALUES ($1, $2, $3, $4)',
          [record.id, i, arn, JSON.stringify(r)],
        );
      }
    });
  }

  async get(id: string): Promise<LifecycleExecutionRecord | undefined> {
    const row = await this.#db.one<ExecutionRow>('SELECT * FROM lifecycle_executions WHERE id = $1', [id]);
    return row ? toExecution(row) : undefined;
  }

  async byResource(arn: string): Promise<LifecycleExecutionRecord[]> {
    const rows = await this.#db.query<ExecutionRow>(
      `SELECT * FROM lifecycle_executions WHERE policy_arn = $1
         OR id IN (SELECT execution_id FROM lifecycle_execution_resources WHERE resource_arn = $1)
       ORDER BY started_at DESC, id COLLATE "C"`,
      [arn],
    );
    return rows.map(toExecution);
  }

  async resources(id: string): Promise<Record<string, unknown>[]> {
    const rows = await this.#db.query<{ doc: string }>(
      'SELECT doc FROM lifecycle_execution_resources WHERE execution_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((r) => JSON.parse(r.doc) as Record<string, unknown>);
  }
}

export class PgWorkers implements WorkerRegistry {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async seen(worker: WorkerRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO workers (id, labels, last_seen) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET labels = excluded.labels, last_seen = excluded.last_seen`,
      [worker.id, JSON.stringify(worker.labels), worker.lastSeen],
    );
  }

  async list(): Promise<WorkerRecord[]> {
    const rows = await this.#db.query<{ id: string; labels: string; last_seen: string }>(
      'SELECT id, labels, last_seen FROM workers ORDER BY last_seen DESC',
    );
    return rows.map((r) => ({
      id: r.id,
      labels: JSON.parse(r.labels) as Record<string, unknown>,
      lastSeen: r.last_seen,
    }));
  }
}

/**
 * @module SQLite `LifecycleExecutionRepository`: lifecycle policy runs and the resources each
 * acted on.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { LifecycleExecutionRecord, LifecycleExecutionRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

interface Row {
  id: string;
  policy_arn: string;
  doc: string;
  started_at: string;
}

const toRecord = (r: Row): LifecycleExecutionRecord => ({
  id: r.id,
  policyArn: r.policy_arn,
  doc: JSON.parse(r.doc) as Record<string, unknown>,
  startedAt: r.started_at,
});

export class SqliteLifecycleExecutions implements LifecycleExecutionRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  put(record: LifecycleExecutionRecord, resources: readonly Record<string, unknown>[]): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'INSERT INTO lifecycle_executions (id, policy_arn, doc, started_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
      ).run(record.id, record.policyArn, JSON.stringify(record.doc), record.startedAt);
      statement(this.#db, 'DELETE FROM lifecycle_execution_resources WHERE execution_id = ?').run(record.id);
      resources.forEach((r, i) => {
        const arn = typeof r['resourceId'] === 'string' ? r['resourceId'] : null;
        statement(
          this.#db,
          'INSERT INTO lifecycle_execution_resources (execution_id, seq, resource_arn, doc) VALUES (?, ?, ?, ?)',
        ).run(record.id, i, arn, JSON.stringify(r));
      });
    });
  }

  async get(id: string): Promise<LifecycleExecutionRecord | undefined> {
    const row = statement(this.#db, 'SELECT * FROM lifecycle_executions WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async byResource(arn: string): Promise<LifecycleExecutionRecord[]> {
    const rows = statement(
      this.#db,
      `SELECT * FROM lifecycle_executions WHERE policy_arn = ?
         OR id IN (SELECT execution_id FROM lifecycle_execution_resources WHERE resource_arn = ?)
       ORDER BY started_at DESC, id`,
    ).all(arn, arn) as unknown as Row[];
    return rows.map(toRecord);
  }

  async resources(id: string): Promise<Record<string, unknown>[]> {
    const rows = statement(
      this.#db,
      'SELECT doc FROM lifecycle_execution_resources WHERE execution_id = ? ORDER BY seq',
    ).all(id) as unknown as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as Record<string, unknown>);
  }
}

/**
 * @module SQLite `WorkflowExecutionRepository`: the workflow executions of image builds and their
 * step executions (ids, status, API document), for the Get/List workflow (step) execution operations.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { WorkflowExecutionRecord, WorkflowExecutionRepository, WorkflowStepExecutionRecord } from '../types.ts';
import { type ExecutionRow, type StepRow, toExecution, toStep } from '../rows.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteWorkflowExecutions implements WorkflowExecutionRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  putExecution(r: WorkflowExecutionRecord): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        `INSERT INTO workflow_executions (id, image_arn, workflow_arn, account, status, doc, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      ).run(r.id, r.imageArn, r.workflowArn, r.account, r.status, JSON.stringify(r.doc), r.startedAt);
    });
  }

  async getExecution(id: string): Promise<WorkflowExecutionRecord | undefined> {
    const row = statement(this.#db, 'SELECT * FROM workflow_executions WHERE id = ?').get(id) as
      | ExecutionRow
      | undefined;
    return row ? toExecution(row) : undefined;
  }

  async executionsOfImage(imageArn: string): Promise<WorkflowExecutionRecord[]> {
    const rows = statement(
      this.#db,
      'SELECT * FROM workflow_executions WHERE image_arn = ? ORDER BY started_at, rowid',
    ).all(imageArn) as unknown as ExecutionRow[];
    return rows.map(toExecution);
  }

  putStep(r: WorkflowStepExecutionRecord): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        `INSERT INTO workflow_step_executions (id, execution_id, image_arn, workflow_arn, account, seq, status, doc, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      ).run(
        r.id,
        r.executionId,
        r.imageArn,
        r.workflowArn,
        r.account,
        r.seq,
        r.status,
        JSON.stringify(r.doc),
        r.startedAt,
      );
    });
  }

  async getStep(id: string): Promise<WorkflowStepExecutionRecord | undefined> {
    const row = statement(this.#db, 'SELECT * FROM workflow_step_executions WHERE id = ?').get(id) as
      | StepRow
      | undefined;
    return row ? toStep(row) : undefined;
  }

  async stepsOfExecution(executionId: string): Promise<WorkflowStepExecutionRecord[]> {
    const rows = statement(
      this.#db,
      'SELECT * FROM workflow_step_executions WHERE execution_id = ? ORDER BY seq, started_at',
    ).all(executionId) as unknown as StepRow[];
    return rows.map(toStep);
  }

  async stepsInStatus(account: string, status: string): Promise<WorkflowStepExecutionRecord[]> {
    const rows = statement(
      this.#db,
      'SELECT * FROM workflow_step_executions WHERE account = ? AND status = ? ORDER BY started_at, rowid',
    ).all(account, status) as unknown as StepRow[];
    return rows.map(toStep);
  }
}

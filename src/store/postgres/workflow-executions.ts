/**
 * @module PostgreSQL `WorkflowExecutionRepository`: the workflow executions of image builds and
 * their step executions (mirrors src/store/sqlite/workflow-executions.ts).
 */
import type { WorkflowExecutionRecord, WorkflowExecutionRepository, WorkflowStepExecutionRecord } from '../types.ts';
import { type ExecutionRow, type StepRow, toExecution, toStep } from '../rows.ts';
import type { PgDatabase } from './database.ts';

export class PgWorkflowExecutions implements WorkflowExecutionRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async putExecution(r: WorkflowExecutionRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO workflow_executions (id, image_arn, workflow_arn, account, status, doc, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      [r.id, r.imageArn, r.workflowArn, r.account, r.status, JSON.stringify(r.doc), r.startedAt],
    );
  }

  async getExecution(id: string): Promise<WorkflowExecutionRecord | undefined> {
    const row = await this.#db.one<ExecutionRow>('SELECT * FROM workflow_executions WHERE id = $1', [id]);
    return row ? toExecution(row) : undefined;
  }

  async executionsOfImage(imageArn: string): Promise<WorkflowExecutionRecord[]> {
    const rows = await this.#db.query<ExecutionRow>(
      'SELECT * FROM workflow_executions WHERE image_arn = $1 ORDER BY started_at, seq_no',
      [imageArn],
    );
    return rows.map(toExecution);
  }

  async putStep(r: WorkflowStepExecutionRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO workflow_step_executions (id, execution_id, image_arn, workflow_arn, account, seq, status, doc, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      [r.id, r.executionId, r.imageArn, r.workflowArn, r.account, r.seq, r.status, JSON.stringify(r.doc), r.startedAt],
    );
  }

  async getStep(id: string): Promise<WorkflowStepExecutionRecord | undefined> {
    const row = await this.#db.one<StepRow>('SELECT * FROM workflow_step_executions WHERE id = $1', [id]);
    return row ? toStep(row) : undefined;
  }

  async stepsOfExecution(executionId: string): Promise<WorkflowStepExecutionRecord[]> {
    const rows = await this.#db.query<StepRow>(
      'SELECT * FROM workflow_step_executions WHERE execution_id = $1 ORDER BY seq, started_at',
      [executionId],
    );
    return rows.map(toStep);
  }

  async stepsInStatus(account: string, status: string): Promise<WorkflowStepExecutionRecord[]> {
    const rows = await this.#db.query<StepRow>(
      'SELECT * FROM workflow_step_executions WHERE account = $1 AND status = $2 ORDER BY started_at, seq_no',
      [account, status],
    );
    return rows.map(toStep);
  }
}

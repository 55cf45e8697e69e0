/**
 * @module Storage contracts of the operations side: pipeline schedule state, the audit log, image
 * state-change events with their webhook deliveries, and lifecycle executions.
 */

/** Scheduler state of one pipeline (survives restarts). */
export interface ScheduleState {
  pipelineArn: string;
  /** Epoch ms of the next cron match the scheduler will act on, null when none was computed yet. */
  nextRun: number | null;
  /** Epoch ms of the last cron match that was acted on (fired or skipped). */
  lastFired: number | null;
  /** Dependency fingerprint of the last build the schedule started. */
  lastFingerprint: string | null;
}

export interface ScheduleRepository {
  get(pipelineArn: string): Promise<ScheduleState | undefined>;
  put(state: ScheduleState): Promise<void>;
  /**
   * Moves the schedule from `expectedNextRun` to `state` only if nobody else did meanwhile
   * (compare-and-set across processes); false when another scheduler won.
   */
  advance(pipelineArn: string, expectedNextRun: number | null, state: ScheduleState): Promise<boolean>;
  delete(pipelineArn: string): Promise<void>;
}

export interface AuditEntry {
  seq?: number;
  at: string;
  accountId: string | null;
  accessKeyId: string | null;
  operation: string;
  resourceArn: string | null;
  sourceIp: string | null;
  /** 'success' or the error type (e.g. ResourceNotFoundException). */
  outcome: string;
  requestId: string | null;
}

export interface AuditRepository {
  /** Appends; entries are never changed or removed. */
  append(entry: AuditEntry): Promise<void>;
  query(q: { since?: string; operation?: string; requestId?: string; limit?: number }): Promise<AuditEntry[]>;
}

/** One recorded image state change (written by a database trigger on every image insert/update). */
export interface ImageEvent {
  seq: number;
  imageArn: string;
  status: string | null;
  /** The image document right after the change. */
  doc: Record<string, unknown>;
  at: string;
}

export interface EventDelivery {
  id: number;
  eventSeq: number;
  topicArn: string;
  url: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: string | null;
  lastError: string | null;
}

export interface EventRepository {
  /** Events after `afterSeq`, oldest first. */
  imageEvents(afterSeq: number, limit: number): Promise<ImageEvent[]>;
  cursor(name: string): Promise<number>;
  setCursor(name: string, seq: number): Promise<void>;
  /** Queues a delivery (once per event and URL). */
  addDelivery(d: { eventSeq: number; topicArn: string; url: string; body: string; now: number }): Promise<void>;
  dueDeliveries(now: number, maxAttempts: number, limit: number): Promise<EventDelivery[]>;
  /**
   * Takes due deliveries for one sender: each is put off until `now + leaseMs` in the same
   * statement, so dispatchers of other servers on the database do not send it too (it is tried
   * again after the lease if this sender dies before marking it).
   */
  claimDeliveries(now: number, maxAttempts: number, limit: number, leaseMs: number): Promise<EventDelivery[]>;
  markDelivered(id: number, at: string): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  deliveries(): Promise<EventDelivery[]>;
  /**
   * Deletes up to `limit` events (oldest first) recorded before `before` (ISO time) with
   * `seq <= upToSeq` that have no delivery still to be tried (undelivered with fewer than
   * `maxAttempts` attempts), and their deliveries.
   */
  prune(opts: {
    before: string;
    upToSeq: number;
    maxAttempts: number;
    limit: number;
  }): Promise<{ events: number; deliveries: number }>;
}

export interface LifecycleExecutionRecord {
  id: string;
  policyArn: string;
  /** LifecycleExecution document (API shape, dates as ISO strings). */
  doc: Record<string, unknown>;
  startedAt: string;
}

export interface LifecycleExecutionRepository {
  put(record: LifecycleExecutionRecord, resources: readonly Record<string, unknown>[]): Promise<void>;
  get(id: string): Promise<LifecycleExecutionRecord | undefined>;
  /** Executions of one policy (or touching one resource ARN), newest first. */
  byResource(arn: string): Promise<LifecycleExecutionRecord[]>;
  resources(id: string): Promise<Record<string, unknown>[]>;
}

/** One run of a workflow for an image build (GetWorkflowExecution). */
export interface WorkflowExecutionRecord {
  /** `wf-<uuid>`. */
  id: string;
  imageArn: string;
  workflowArn: string;
  account: string;
  /** WorkflowExecutionStatus (PENDING, RUNNING, COMPLETED, FAILED, ...). */
  status: string;
  /** Everything else the API shows (type, message, counts, times as ISO strings, parallelGroup, retried). */
  doc: Record<string, unknown>;
  startedAt: string;
}

/** One step of a workflow execution (GetWorkflowStepExecution). */
export interface WorkflowStepExecutionRecord {
  /** `step-<uuid>`. */
  id: string;
  executionId: string;
  imageArn: string;
  workflowArn: string;
  account: string;
  /** Position of the step in its workflow document. */
  seq: number;
  /** WorkflowStepExecutionStatus (PENDING, RUNNING, WAITING, COMPLETED, SKIPPED, FAILED, ...). */
  status: string;
  /** name, action, inputs/outputs (JSON strings), message, rollbackStatus, attempt numbers, times. */
  doc: Record<string, unknown>;
  startedAt: string;
}

export interface WorkflowExecutionRepository {
  /** Inserts or replaces an execution. */
  putExecution(record: WorkflowExecutionRecord): Promise<void>;
  getExecution(id: string): Promise<WorkflowExecutionRecord | undefined>;
  /** Executions of one image build, oldest first. */
  executionsOfImage(imageArn: string): Promise<WorkflowExecutionRecord[]>;
  /** Inserts or replaces a step execution. */
  putStep(record: WorkflowStepExecutionRecord): Promise<void>;
  getStep(id: string): Promise<WorkflowStepExecutionRecord | undefined>;
  /** Steps of one execution in document order. */
  stepsOfExecution(executionId: string): Promise<WorkflowStepExecutionRecord[]>;
  /** Steps of an account in a status (WAITING for ListWaitingWorkflowSteps), oldest first. */
  stepsInStatus(account: string, status: string): Promise<WorkflowStepExecutionRecord[]>;
}

/**
 * @module Table rows shared by the SQLite and PostgreSQL stores (same columns in both schemas)
 * and their mapping to the records of the `Store` contract: one mapping, two engines.
 */
import type { EventDelivery, Job, JobState, WorkflowExecutionRecord, WorkflowStepExecutionRecord } from './types.ts';

export interface JobRow {
  id: string;
  kind: string;
  resource_arn: string;
  payload: string;
  state: string;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    resourceArn: r.resource_arn,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    state: r.state as JobState,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface ExecutionRow {
  id: string;
  image_arn: string;
  workflow_arn: string;
  account: string;
  status: string;
  doc: string;
  started_at: string;
}

export interface StepRow extends ExecutionRow {
  execution_id: string;
  seq: number;
}

export const toExecution = (r: ExecutionRow): WorkflowExecutionRecord => ({
  id: r.id,
  imageArn: r.image_arn,
  workflowArn: r.workflow_arn,
  account: r.account,
  status: r.status,
  doc: JSON.parse(r.doc) as Record<string, unknown>,
  startedAt: r.started_at,
});

export const toStep = (r: StepRow): WorkflowStepExecutionRecord => ({
  ...toExecution(r),
  executionId: r.execution_id,
  seq: Number(r.seq),
});

export interface DeliveryRow {
  id: number;
  event_seq: number;
  topic_arn: string;
  url: string;
  body: string;
  attempts: number;
  next_attempt_at: number;
  delivered_at: string | null;
  last_error: string | null;
}

export const toDelivery = (r: DeliveryRow): EventDelivery => ({
  id: r.id,
  eventSeq: r.event_seq,
  topicArn: r.topic_arn,
  url: r.url,
  body: r.body,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});

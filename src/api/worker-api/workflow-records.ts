/**
 * @module The workflow execution records a build host reads and writes for its job (the runs and
 * steps GetWorkflowExecution and ListWorkflowStepExecutions show): only those of the job's own
 * image and account; another image's record reads as absent and cannot be written.
 */
import type { Job, Store, WorkflowExecutionRecord, WorkflowStepExecutionRecord } from '../../store/types.ts';
import { BadBody } from './schemas.ts';

export interface WorkflowRequest {
  op: 'putExecution' | 'getExecution' | 'executionsOfImage' | 'putStep' | 'getStep' | 'stepsOfExecution';
  id?: string | undefined;
  record?: Record<string, unknown> | undefined;
}

export async function scopedWorkflowRecords(store: Store, job: Job, r: WorkflowRequest): Promise<unknown> {
  const account = String(job.payload['accountId']);
  const own = (rec: { imageArn: string; account: string } | undefined) =>
    rec !== undefined && rec.imageArn === job.resourceArn && rec.account === account;
  const id = () => {
    if (r.id === undefined) throw new BadBody('id: required for this op');
    return r.id;
  };
  const record = () => {
    if (!r.record) throw new BadBody('record: required for this op');
    if (!own(r.record as { imageArn: string; account: string }))
      throw new BadBody(`record: a job writes only its own image's records (${job.resourceArn})`);
    return r.record;
  };
  const wf = store.workflowExecutions;
  switch (r.op) {
    case 'putExecution':
      return wf.putExecution(record() as unknown as WorkflowExecutionRecord).then(() => true);
    case 'putStep': {
      const step = record() as unknown as WorkflowStepExecutionRecord;
      if (!own(await wf.getExecution(step.executionId)))
        throw new BadBody("record: the step's execution is not this job's");
      return wf.putStep(step).then(() => true);
    }
    case 'getExecution': {
      const rec = await wf.getExecution(id());
      return own(rec) ? rec : null;
    }
    case 'getStep': {
      const rec = await wf.getStep(id());
      return own(rec) ? rec : null;
    }
    case 'executionsOfImage':
      return wf.executionsOfImage(job.resourceArn);
    case 'stepsOfExecution':
      return own(await wf.getExecution(id())) ? wf.stepsOfExecution(id()) : [];
  }
}

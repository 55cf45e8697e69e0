/**
 * @module What a job handler reads and writes of the control plane, and nothing more: the job's
 * resources (image, components, parent images), its image's state, its build log and documents. The
 * embedded worker reaches them in the store (`localJobStore`, one per job); a build host through the
 * worker API, which writes the same store.
 */
import { builtDocuments } from '../artifacts/image-documents.ts';
import { tryParseArn } from '../arn/arn.ts';
import type { StoredImage } from '../images/image-failure.ts';
import type { ImageStatus } from '../model/generated/shapes.ts';
import type {
  JobQueue,
  ResourceRepository,
  ShareRepository,
  Store,
  WorkflowExecutionRepository,
} from '../store/types.ts';
import { setState } from './image-state.ts';
import { type LogBatch, logBatch } from './log-batch.ts';

/** Moves an image to `status` (checked against the state table, a cancel winning); false when it was cancelled. */
export type SetImageState = (
  arn: string,
  status: ImageStatus,
  reason?: string,
  extra?: Partial<StoredImage>,
) => Promise<boolean>;

export type JobWorkflowExecutions = Pick<
  WorkflowExecutionRepository,
  'putExecution' | 'getExecution' | 'executionsOfImage' | 'putStep' | 'getStep' | 'stepsOfExecution'
>;

export interface JobStore {
  readonly resources: Pick<ResourceRepository, 'get' | 'versions'>;
  readonly shares: Pick<ShareRepository, 'isSharedWith'>;
  readonly jobs: Pick<JobQueue, 'byResource'>;
  /** The image's workflow and step executions (what the workflow runner records as it goes). */
  readonly workflowExecutions: JobWorkflowExecutions;
  readonly setImageState: SetImageState;
  /** An appender of lines to the image's build log in the store (what GetLogEvents and `ingot logs` read). */
  openLog(imageArn: string): (line: string) => void;
  /** Waits until every line appended so far is stored (lines are written in batches). */
  flushLogs(): Promise<void>;
  /** Keeps the image's documents (manifest, SBOMs, findings) in `outputDir` in the store, for every API server. */
  keepDocuments(imageArn: string, outputDir: string): Promise<void>;
}

const accountOf = (arn: string): string => {
  const account = tryParseArn(arn)?.account;
  if (!account) throw new Error(`not an ARN: ${arn}`);
  return account;
};

/** The store itself, as the embedded worker sees it (one per job: its log lines are its own). */
export function localJobStore(store: Store, onError?: (err: unknown) => void): JobStore {
  const logs = new Map<string, LogBatch<{ timestamp: number; message: string }>>();
  const flushLogs = async () => {
    for (const batch of logs.values()) await batch.flush();
  };
  return {
    resources: store.resources,
    shares: store.shares,
    jobs: store.jobs,
    workflowExecutions: store.workflowExecutions,
    setImageState: async (arn, status, reason, extra) => {
      await logs.get(arn)?.flush(); // the lines before a state change are stored before it
      return setState(store, arn, status, reason, extra);
    },
    openLog: (arn) => {
      const account = accountOf(arn);
      let batch = logs.get(arn);
      if (!batch) logs.set(arn, (batch = logBatch((lines) => store.buildLogs.append(arn, account, lines), onError)));
      return (message) => batch.push({ timestamp: Date.now(), message });
    },
    flushLogs,
    keepDocuments: async (arn, outputDir) => {
      const account = accountOf(arn);
      for await (const { name, body } of builtDocuments(outputDir))
        await store.imageDocuments.put({ imageArn: arn, account, name, body });
    },
  };
}

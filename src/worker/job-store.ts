/**
 * @module What a job handler reads and writes of the control plane, and nothing more: the job's
 * resources (image, components, parent images), its image's state and its build log. The embedded
 * worker reaches them in the store (`localJobStore`); a build host through the worker API.
 */
import { openImageLog } from '../artifacts/output-dirs.ts';
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
  /** An appender of lines to the image's build log (what GetLogEvents and `ingot logs` read). */
  openLog(imageArn: string): (line: string) => void;
  /** Waits until every line appended so far is stored (remote logs are sent in batches). */
  flushLogs?(): Promise<void>;
  /**
   * Hands the image's documents (manifest, SBOMs, findings) in `outputDir` to the control plane.
   * A build host sends them through the worker API; the embedded worker has nothing to do (the
   * servers read its output directory).
   */
  keepDocuments?(imageArn: string, outputDir: string): Promise<void>;
}

/** The store itself, as the embedded worker (same data directory as the server) sees it. */
export function localJobStore(store: Store, home: string): JobStore {
  return {
    resources: store.resources,
    shares: store.shares,
    jobs: store.jobs,
    workflowExecutions: store.workflowExecutions,
    setImageState: (arn, status, reason, extra) => setState(store, arn, status, reason, extra),
    openLog: (arn) => openImageLog(home, arn),
  };
}

/**
 * @module A build host's view of its job's data: reads and image states through the worker API
 * (lease-checked and scoped to the job's account there), build-log lines sent as they come (batched while a send is in flight) so the
 * logs API and `ingot logs` show a remote build as it runs; the image's documents (manifest, SBOMs,
 * findings) sent once it is built, so ListImagePackages answers for it.
 */
import { builtDocuments } from '../../artifacts/image-documents.ts';
import type { TypedJob } from '../../queue/job-kinds.ts';
import type { Job, ResourceRecord, WorkflowExecutionRecord, WorkflowStepExecutionRecord } from '../../store/types.ts';
import type { JobStore } from '../job-store.ts';
import { logBatch } from '../log-batch.ts';
import type { WorkerApiClient } from './client.ts';

const CALL_RETRY_MS = 15_000;

/**
 * `claimed`: the job's own resource as the claim's answer carried it; the build's first read of it
 * is answered from there (later reads go to the control plane: the record changes as the build runs).
 */
export function remoteJobStore(
  client: WorkerApiClient,
  workerId: string,
  job: TypedJob,
  claimed?: ResourceRecord<unknown>,
): JobStore {
  let fromClaim = claimed?.arn === job.resourceArn ? claimed : undefined;
  const read = async <T>(args: Record<string, unknown>): Promise<T> =>
    ((await client.post<{ value: T }>(`/jobs/${job.id}/read`, { workerId, ...args }, { retryForMs: CALL_RETRY_MS }))
      ?.value ?? null) as T;
  const workflow = async <T>(args: Record<string, unknown>): Promise<T> =>
    ((await client.post<{ value: T }>(`/jobs/${job.id}/workflow`, { workerId, ...args }, { retryForMs: CALL_RETRY_MS }))
      ?.value ?? null) as T;
  const lines = logBatch<string>((batch) =>
    // A lost lease or network: the lines are gone, the build goes on (the result decides).
    client.post(`/jobs/${job.id}/log`, { workerId, lines: batch }, { retryForMs: CALL_RETRY_MS }),
  );
  const flush = () => lines.flush();
  return {
    resources: {
      get: async <Doc>(arn: string) => {
        const first = arn === fromClaim?.arn ? fromClaim : undefined;
        if (first) {
          fromClaim = undefined;
          return first as ResourceRecord<Doc>;
        }
        return (await read<ResourceRecord<Doc> | null>({ op: 'get', arn })) ?? undefined;
      },
      versions: (type, accounts, region, name) => read({ op: 'versions', type, accounts: [...accounts], region, name }),
    },
    shares: { isSharedWith: (arn, account) => read<boolean>({ op: 'isSharedWith', arn, account }) },
    jobs: { byResource: (arn) => read<Job[]>({ op: 'byResource', arn }) },
    workflowExecutions: {
      putExecution: async (record) => void (await workflow({ op: 'putExecution', record })),
      getExecution: async (id) =>
        (await workflow<WorkflowExecutionRecord | null>({ op: 'getExecution', id })) ?? undefined,
      executionsOfImage: () => workflow<WorkflowExecutionRecord[]>({ op: 'executionsOfImage' }),
      putStep: async (record) => void (await workflow({ op: 'putStep', record })),
      getStep: async (id) => (await workflow<WorkflowStepExecutionRecord | null>({ op: 'getStep', id })) ?? undefined,
      stepsOfExecution: (id) => workflow<WorkflowStepExecutionRecord[]>({ op: 'stepsOfExecution', id }),
    },
    setImageState: async (arn, status, reason, extra) => {
      await flush();
      const answer = await client.post<{ changed: boolean }>(
        `/jobs/${job.id}/state`,
        { workerId, arn, status, ...(reason !== undefined ? { reason } : {}), ...(extra ? { extra } : {}) },
        { retryForMs: CALL_RETRY_MS },
      );
      return answer?.changed === true;
    },
    openLog: () => (line) => lines.push(`${new Date().toISOString()} ${line}`),
    flushLogs: flush,
    keepDocuments: async (arn, outputDir) => {
      if (arn !== job.resourceArn) throw new Error(`job ${job.id} keeps only the documents of ${job.resourceArn}`);
      for await (const { name, body } of builtDocuments(outputDir))
        await client.post(`/jobs/${job.id}/document`, { workerId, name, body }, { retryForMs: CALL_RETRY_MS });
    },
  };
}

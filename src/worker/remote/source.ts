/**
 * @module A build host's job source: claims through the worker API (long poll with its labels),
 * heartbeats that extend the lease (a 409 or no answer for a whole lease means the lease is lost),
 * and the result, sent until the control plane answers (a refusal is reported, never retried).
 * Claims and results name the jobs it holds (`known`), so a job handed over in an answer that never
 * arrived is handed over again rather than lost until its lease runs out.
 */
import type { Job, ResourceRecord } from '../../store/types.ts';
import { typedJob } from '../../queue/queue.ts';
import type { TypedJob } from '../../queue/job-kinds.ts';
import type { Beat, ClaimedJob, JobSource } from '../job-source.ts';
import type { WorkerLabels } from '../labels.ts';
import { type WorkerApiClient, WorkerApiRefused } from './client.ts';
import { remoteJobStore } from './job-store.ts';

export interface RemoteSourceOptions {
  client: WorkerApiClient;
  workerId: string;
  labels: () => Promise<WorkerLabels>;
  /** Ids of the jobs this worker runs now (sent with each claim). */
  running?: () => string[];
  /** The worker's slots (`--concurrency`): a claim asks for as many jobs as are free (default 1). */
  slots?: number;
  /** Long-poll length of a claim, seconds (default 20). */
  waitSeconds?: number;
  /** How long a result is retried while the control plane is unreachable (default 10 minutes). */
  resultRetryMs?: number;
  /** Told about refusals and lost leases (the worker prints them). */
  onNotice?: (line: string) => void;
}

export function remoteJobSource(opts: RemoteSourceOptions): JobSource {
  const { client, workerId } = opts;
  const leases = new Map<string, { leaseMs: number; lastOk: number }>();
  const notice = (line: string) => opts.onNotice?.(line);
  /** Jobs a result's answer handed over, for the next `claim`. */
  const handedOver: ClaimedJob[] = [];
  /**
   * The job of a claim's (or result's) answer, undefined when this worker holds it already: a job
   * handed over again (see the control plane's rehand.ts) may cross the answer that first carried it.
   */
  const taken = (answer: ClaimAnswer): ClaimedJob | undefined => {
    if (leases.has(answer.job.id)) return undefined;
    leases.set(answer.job.id, { leaseMs: answer.leaseMs, lastOk: Date.now() });
    const job = typedJob(answer.job);
    notice(`took job ${job.id} (${job.kind} of ${job.resourceArn}, attempt ${job.attempts} of ${job.maxAttempts})`);
    return { job, store: remoteJobStore(client, workerId, job, answer.resource), leaseMs: answer.leaseMs };
  };
  const giveBack = async (job: TypedJob) => {
    leases.delete(job.id);
    try {
      await client.post(`/jobs/${job.id}/result`, { workerId, outcome: 'unstarted' }, { retryForMs: 15_000 });
      notice(`job ${job.id} given back to the queue (not started)`);
    } catch (err) {
      notice(
        `job ${job.id}: could not give it back (${err instanceof Error ? err.message : String(err)}); it is retried once its lease expires`,
      );
    }
  };
  return {
    async claim(signal) {
      const next = handedOver.shift();
      if (next) return next;
      const waitSeconds = opts.waitSeconds ?? 20;
      const running = opts.running?.() ?? [];
      const max = Math.min(64, Math.max(1, (opts.slots ?? 1) - running.length));
      try {
        const answer = await client.post<ClaimAnswer>(
          '/claim',
          {
            workerId,
            labels: await opts.labels(),
            waitSeconds,
            running,
            known: [...leases.keys()],
            ...(max > 1 ? { max } : {}),
          },
          { timeoutMs: (waitSeconds + 15) * 1000, signal },
        );
        if (!answer) return undefined;
        // The other jobs of a claim for several slots wait here for the worker's next claims.
        for (const more of answer.also ?? [])
          try {
            const claimed = taken({ ...more, leaseMs: answer.leaseMs });
            if (claimed) handedOver.push(claimed);
          } catch (err) {
            notice(`job ${more.job.id}: ${err instanceof Error ? err.message : String(err)}`);
          }
        return taken(answer);
      } catch (err) {
        if (signal.aborted) return undefined;
        notice(`cannot claim from ${client.base}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    },
    async heartbeat(job): Promise<Beat> {
      const lease = leases.get(job.id) ?? { leaseMs: 30_000, lastOk: Date.now() };
      try {
        const answer = await client.post<{ cancel: boolean }>(
          `/jobs/${job.id}/heartbeat`,
          { workerId },
          { timeoutMs: Math.max(1000, Math.floor(lease.leaseMs / 3)) },
        );
        lease.lastOk = Date.now();
        return answer?.cancel ? 'cancel' : 'ok';
      } catch (err) {
        if (err instanceof WorkerApiRefused) {
          notice(`job ${job.id}: ${err.message}`);
          return 'lost';
        }
        if (Date.now() - lease.lastOk > lease.leaseMs) {
          notice(
            `job ${job.id}: no heartbeat reached the control plane for ${lease.leaseMs} ms: the lease is lost, stopping the build`,
          );
          return 'lost';
        }
        return 'ok';
      }
    },
    async finish(job, outcome, giveUp, takeNext) {
      leases.delete(job.id);
      try {
        const next =
          takeNext && outcome !== 'interrupted'
            ? {
                next: {
                  labels: await opts.labels(),
                  running: (opts.running?.() ?? []).filter((id) => id !== job.id),
                  known: [...leases.keys()],
                },
              }
            : {};
        const answer = await client.post<{ next?: ClaimAnswer }>(
          `/jobs/${job.id}/result`,
          { workerId, outcome, ...next },
          { retryForMs: opts.resultRetryMs ?? 600_000, ...(giveUp ? { signal: giveUp } : {}) },
        );
        notice(`job ${job.id} ended: ${outcome}`);
        if (answer?.next) {
          try {
            const claimed = taken(answer.next);
            if (claimed) handedOver.push(claimed);
          } catch (err) {
            notice(`job ${answer.next.job.id}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      } catch (err) {
        if (giveUp?.aborted) notice(`job ${job.id}: its lease was lost; stopping without sending its result`);
        else if (err instanceof WorkerApiRefused)
          notice(`job ${job.id}: the control plane refused the result (${err.status}): ${err.message}`);
        else throw err;
      }
    },
    giveBack,
    async close() {
      for (let c = handedOver.shift(); c; c = handedOver.shift()) await giveBack(c.job);
    },
  };
}

/** A claim's answer (also a result's `next`): the job, its lease, the image's record. */
interface ClaimAnswer {
  job: Job;
  leaseMs: number;
  resource?: ResourceRecord<unknown>;
  /** The other jobs a claim for several slots took. */
  also?: { job: Job; resource?: ResourceRecord<unknown> }[];
}

/**
 * @module What every worker-API route shares: the options, the store, the clock, the waiting claims,
 * each worker's last-seen record, and the hand-over of a next job in a result's answer.
 */
import type { Metrics } from '../../metrics/metrics.ts';
import type { Store } from '../../store/types.ts';
import type { WorkerLabels } from '../../worker/labels.ts';
import { claimMatching } from './claim.ts';
import { rehandUnseen } from './rehand.ts';
import { Waiters } from './waiters.ts';

/** How often a claim rewrites its worker's record when nothing in it changed (`ingot workers`' last-seen time). */
const SEEN_REFRESH_MS = 5000;

export interface WorkerApiOptions {
  store: Store;
  /**
   * The farm's shared worker token (INGOT_WORKER_TOKEN). Build hosts may instead present their own
   * tokens from the store; with neither, the worker API is off (404 saying how to turn it on).
   */
  token: string | undefined;
  leaseMs: number;
  /** Free space a build needs (INGOT_MIN_FREE_GIB): a worker with less gets no job. */
  minFreeGib: number;
  /** The control plane's clock (tests move it to expire leases). */
  now?: () => number;
  /** How often a waiting claim looks at the queue again when nothing wakes it. */
  pollMs?: number;
  /** Where calls, heartbeats, leases and workers' last-seen times are counted. */
  metrics?: Metrics;
  onError?: (err: unknown) => void;
}

/** What a claim or a result says about its worker: its labels, the jobs it runs and the jobs it holds. */
export interface WorkerReport {
  labels: WorkerLabels;
  running?: string[];
  known?: string[];
}

export class WorkerApiContext {
  readonly opts: WorkerApiOptions;
  readonly store: Store;
  readonly now: () => number;
  readonly waiters = new Waiters();
  /** The server is stopping: waiting claims end, new ones get nothing. */
  closed = false;
  /** When expired leases were last reaped (a claim reaps at most every half lease). */
  lastReap = 0;
  /** When each worker's record was last written, and what it said. */
  readonly #lastSeen = new Map<string, { key: string; at: number }>();

  constructor(opts: WorkerApiOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
  }

  /** Writes the worker's record when it changed or is stale (a claim need not write it every time). */
  async noteSeen(workerId: string, workerLabels: WorkerLabels, running: string[] = []): Promise<void> {
    const labels = { ...workerLabels, running };
    const key = JSON.stringify(labels);
    const seen = this.#lastSeen.get(workerId);
    if (!seen || seen.key !== key || this.now() - seen.at >= SEEN_REFRESH_MS) {
      await this.store.workers.seen({ id: workerId, labels, lastSeen: new Date(this.now()).toISOString() });
      this.#lastSeen.set(workerId, { key, at: this.now() });
    }
  }

  /** A result's answer may carry the worker's next job (taken now, no waiting): one call per build while jobs are queued. */
  async handOver(workerId: string, next: WorkerReport | undefined, replay = false) {
    if (!next || this.closed) return {};
    const { store, opts } = this;
    await this.noteSeen(workerId, next.labels, next.running);
    // Only a result sent again may have lost a job in its first answer (a claim looks too).
    const lost = replay && next.known && (await rehandUnseen(store, workerId, next.known, opts.leaseMs, this.now()));
    if (lost)
      return { next: { job: lost.job, leaseMs: opts.leaseMs, ...(lost.resource ? { resource: lost.resource } : {}) } };
    const { taken, more } = await claimMatching(store, workerId, next.labels, opts.leaseMs, opts.minFreeGib);
    const [first] = taken;
    if (!first) return {};
    if (more) this.waiters.wakeOne();
    opts.metrics?.leases.inc({ event: 'granted' });
    return { next: { ...first, leaseMs: opts.leaseMs } };
  }
}

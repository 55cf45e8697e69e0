/**
 * @module Prometheus metrics (prom-client), one registry per server or worker process: API
 * requests, builds by outcome, build and stage durations, worker-API heartbeats and leases, and
 * the queue depth read from the store at scrape time. Served at `/metrics` (text format 0.0.4).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Build and stage durations: from a cached no-op (under a second) to a VM build (an hour). */
const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 2400, 3600];

export interface Metrics {
  readonly registry: Registry;
  readonly apiRequests: Counter<'operation' | 'status'>;
  readonly builds: Counter<'kind' | 'outcome'>;
  readonly buildSeconds: Histogram<'kind' | 'outcome'>;
  readonly stageSeconds: Histogram<'stage'>;
  /** Heartbeats: on a server those it answered, on a worker those it sent; by answer (ok, cancel, lost). */
  readonly heartbeats: Counter<'answer'>;
  /** Leases granted (claims) and lost (refused with 409, or given up by a silent worker). */
  readonly leases: Counter<'event'>;
  readonly workerApiCalls: Counter<'op' | 'status'>;
  /** Bytes of the request bodies the worker API received, by operation (no artifact ever comes this way). */
  readonly workerApiReceivedBytes: Counter<'op'>;
  /** Seconds since the epoch of each build host's last poll or heartbeat (server). */
  readonly workerLastSeen: Gauge<'worker'>;
  /** Builds running in this process now (worker). */
  readonly runningBuilds: Gauge;
  /** The text Prometheus scrapes. */
  scrape(): Promise<string>;
}

export interface MetricsOptions {
  /** Jobs by state now (the queue), read at each scrape; a server's. */
  queueDepth?: () => Promise<Record<string, number>>;
  /** Process metrics (CPU, memory, event loop) too; default true. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'ingot_' });
  const registers = [registry];
  const queueDepth = opts.queueDepth;
  if (queueDepth)
    new Gauge({
      name: 'ingot_queue_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await queueDepth())) this.set({ state }, n);
      },
    });
  return {
    registry,
    apiRequests: new Counter({
      name: 'ingot_api_requests_total',
      help: 'Image Builder and CloudWatch Logs API requests by operation and HTTP status',
      labelNames: ['operation', 'status'],
      registers,
    }),
    builds: new Counter({
      name: 'ingot_builds_total',
      help: 'Jobs run by this process, by kind and outcome (succeeded, failed, cancelled, interrupted, lease-lost)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    buildSeconds: new Histogram({
      name: 'ingot_build_duration_seconds',
      help: 'Duration of a job (claim to end) by kind and outcome',
      labelNames: ['kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    stageSeconds: new Histogram({
      name: 'ingot_build_stage_duration_seconds',
      help: 'Duration of each build stage (parent, components, test, outputs, evidence, ...)',
      labelNames: ['stage'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    heartbeats: new Counter({
      name: 'ingot_worker_heartbeats_total',
      help: 'Lease heartbeats (answered by a server, sent by a worker) by answer',
      labelNames: ['answer'],
      registers,
    }),
    leases: new Counter({
      name: 'ingot_worker_leases_total',
      help: 'Job leases granted and lost',
      labelNames: ['event'],
      registers,
    }),
    workerApiCalls: new Counter({
      name: 'ingot_worker_api_requests_total',
      help: 'Worker API calls by operation and HTTP status',
      labelNames: ['op', 'status'],
      registers,
    }),
    workerApiReceivedBytes: new Counter({
      name: 'ingot_worker_api_received_bytes_total',
      help: 'Bytes of request bodies received by the worker API, by operation (logs, states, documents; never artifacts)',
      labelNames: ['op'],
      registers,
    }),
    workerLastSeen: new Gauge({
      name: 'ingot_worker_last_seen_seconds',
      help: 'When each build host last polled or heartbeated (seconds since the epoch)',
      labelNames: ['worker'],
      registers,
    }),
    runningBuilds: new Gauge({ name: 'ingot_running_builds', help: 'Jobs this process runs now', registers }),
    scrape: () => registry.metrics(),
  };
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

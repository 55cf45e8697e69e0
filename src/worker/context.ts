/**
 * @module What every job handler of the worker gets (its view of the store, homes, cache, config, abort signal) and
 * what it answers (the job's outcome).
 */
import type { LayerCache } from '../cache/layer-cache.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { BuildSettings } from '../config/settings.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { JobStore } from './job-store.ts';

/** Abort reasons: the user cancelled the image, this worker is stopping, or (build host) its lease was lost. */
export const CANCELLED = 'cancelled';
export const SHUTDOWN = 'shutdown';
export const LEASE_LOST = 'lease-lost';

/** How a job ended; 'interrupted' puts it back in the queue (attempts are left). */
export type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface ProcessContext {
  /** The job's resources, image state and log: the store (embedded worker) or the worker API (build host). */
  store: JobStore;
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache | undefined;
  newInstance?: InstanceFactory;
  config: () => IngotConfig;
  signal: AbortSignal;
  /** Stage durations are observed here. */
  metrics?: Metrics;
  /** Resolved at start-up (default: the table's defaults, no feed, no signing key). */
  settings?: Partial<BuildSettings> | undefined;
}

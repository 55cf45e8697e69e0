/**
 * @module What every job handler of the worker gets (store, homes, cache, config, abort signal) and
 * what it answers (the job's outcome).
 */
import type { LayerCache } from '../cache/layer-cache.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { BuildSettings } from '../config/settings.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { Store } from '../store/types.ts';

/** Abort reasons: the user cancelled the image, or this worker is stopping. */
export const CANCELLED = 'cancelled';
export const SHUTDOWN = 'shutdown';

/** How a job ended; 'interrupted' puts it back in the queue (attempts are left). */
export type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface ProcessContext {
  store: Store;
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache | undefined;
  newInstance?: InstanceFactory;
  config: () => IngotConfig;
  signal: AbortSignal;
  /** Resolved at start-up (default: the table's defaults, no feed, no signing key). */
  settings?: Partial<BuildSettings> | undefined;
}

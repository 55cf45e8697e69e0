/**
 * @module The server's background operations: the pipeline scheduler (which also runs lifecycle
 * policies daily) and the webhook dispatcher of image state changes.
 */
import { startDispatcher } from '../events/dispatcher.ts';
import { runDueLifecyclePolicies } from '../lifecycle/daily.ts';
import type { Clock } from '../scheduler/clock.ts';
import { startScheduler, type Scheduler } from '../scheduler/scheduler.ts';
import type { Store } from '../store/types.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { Settings } from '../config/settings.ts';

export interface OperationsOptions {
  /** false: no scheduler. `intervalMs: 0`: rounds only when `scheduler.tick()` is called. */
  scheduler?: false | { clock?: Clock; intervalMs?: number };
  /** false: no webhook deliveries. */
  webhooks?: false | { intervalMs?: number };
}

export interface OperationsDeps {
  store: Store;
  home: string;
  settings: Pick<Settings, 'basesHome' | 'schedulerIntervalMs'>;
  config: () => IngotConfig;
  notifyQueued?: () => void;
  onError?: (err: unknown) => void;
}

export interface Operations {
  scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

export function startOperations(deps: OperationsDeps, opts: OperationsOptions = {}): Operations {
  const lifecycle = { store: deps.store, home: deps.home, config: deps.config };
  const scheduler =
    opts.scheduler === false
      ? undefined
      : startScheduler({
          store: deps.store,
          basesHome: deps.settings.basesHome,
          ...(opts.scheduler?.clock ? { clock: opts.scheduler.clock } : {}),
          intervalMs: opts.scheduler?.intervalMs ?? deps.settings.schedulerIntervalMs,
          extraRound: async (now) => void (await runDueLifecyclePolicies(lifecycle, now, deps.onError)),
          ...(deps.notifyQueued ? { notifyQueued: deps.notifyQueued } : {}),
          ...(deps.onError ? { onError: deps.onError } : {}),
        });
  const dispatcher =
    opts.webhooks === false
      ? undefined
      : startDispatcher({
          store: deps.store,
          config: deps.config,
          intervalMs: opts.webhooks?.intervalMs ?? 500,
          ...(deps.onError ? { onError: deps.onError } : {}),
        });
  return {
    scheduler,
    async stop() {
      await scheduler?.stop();
      await dispatcher?.stop();
    },
  };
}

/**
 * @module The one timer loop of Ingot's background work (worker polls, lease heartbeats, scheduler
 * rounds, webhook deliveries, event pruning): runs `fn`, waits `ms` after it ends, runs it again.
 * Rounds never overlap; `wake()` runs the next round as soon as the current one ends; `stop()` ends
 * the loop and waits for a running round.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface EveryOptions {
  /** Run the first round now (default) or only after `ms`. */
  immediate?: boolean;
  /** Aborting it stops the loop, like `stop()`. */
  signal?: AbortSignal;
  /** Receives what a round threw (the loop goes on). */
  onError?: (err: unknown) => void;
}

export interface Every {
  /** Runs the next round as soon as possible (after the running one, if any). */
  wake(): void;
  /** Stops the loop; resolves when no round runs any more. */
  stop(): Promise<void>;
}

export function every(ms: number, fn: () => unknown, opts: EveryOptions = {}): Every {
  let stopped = false;
  let running: Promise<void> | undefined;
  let woken = false;
  let timer: NodeJS.Timeout | undefined;
  // Rounds run in the async context the loop was made in, not in that of whoever woke it (a wake
  // from inside a request's store transaction must not run the round's queries in that transaction).
  const inOwnContext = AsyncLocalStorage.snapshot();

  const arm = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => inOwnContext(round), delay);
  };
  function round(): void {
    timer = undefined;
    if (stopped || running) return;
    woken = false;
    running = (async () => {
      try {
        await fn();
      } catch (err) {
        opts.onError?.(err);
      }
    })().finally(() => {
      running = undefined;
      arm(woken ? 0 : ms);
    });
  }
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };

  opts.signal?.addEventListener('abort', () => void stop(), { once: true });
  arm(opts.immediate === false ? ms : 0);
  return {
    wake() {
      if (running) woken = true;
      else arm(0);
    },
    stop,
  };
}

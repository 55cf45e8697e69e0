/**
 * @module Build-log lines sent as they come: one send in flight at a time; a line goes out at once
 * when none is, else with the next batch (so a worker killed with -9 loses at most the lines of the
 * last few milliseconds, and a chatty step costs one write per batch, not per line).
 */

export interface LogBatch<T> {
  push(line: T): void;
  /** Resolves once every line pushed so far is sent (or given up). */
  flush(): Promise<void>;
}

/** `send` stores one batch; a failure drops that batch (the build goes on; its result decides). */
export function logBatch<T>(send: (lines: T[]) => Promise<unknown>, onError?: (err: unknown) => void): LogBatch<T> {
  let pending: T[] = [];
  let sending: Promise<void> | undefined;
  const next = (): Promise<void> => {
    if (!sending && pending.length) {
      const lines = pending;
      pending = [];
      sending = send(lines)
        .then(
          () => undefined,
          (err: unknown) => onError?.(err),
        )
        .then(() => {
          sending = undefined;
          if (pending.length) void next();
        });
    }
    return sending ?? Promise.resolve();
  };
  return {
    push(line) {
      pending.push(line);
      if (!sending) void next();
    },
    async flush() {
      while (sending || pending.length) await next();
    },
  };
}

/**
 * @module The claims waiting for a job (long polls): a queued job wakes one of them, not all (each
 * woken claim reads the queue and tries to take a job, so waking three for one job cost two wasted
 * claims). A claim that takes a job and saw more wakes the next one, so a burst of queued jobs (or
 * a change notice that stood for several) still reaches every waiting claim, one after another.
 */
export class Waiters {
  /** Oldest waiter first: the claim that has waited longest is woken first. */
  #waiting = new Set<() => void>();

  /** Resolves when woken, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiting.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes the claim that has waited longest (a job was queued). */
  wakeOne(): void {
    const first = this.#waiting.values().next();
    if (!first.done) first.value();
  }

  /** Wakes every waiting claim (the server is stopping). */
  wakeAll(): void {
    for (const w of [...this.#waiting]) w();
  }

  get size(): number {
    return this.#waiting.size;
  }
}

/** @module A bounded set of in-flight async tasks with a barrier (`flush`) that reports the first failure. */

export class TaskPool {
  readonly #limit: number;
  readonly #inflight = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Starts `task` once fewer than `limit` tasks are running (waiting for a slot if needed). */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.#inflight.size >= this.#limit) await Promise.race(this.#inflight);
    this.#rethrow();
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#inflight.delete(running);
      });
    this.#inflight.add(running);
  }

  /** Waits for every started task; throws the first error any of them raised. */
  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
    this.#rethrow();
  }

  #rethrow(): void {
    if (this.#failure) throw this.#failure.error;
  }
}

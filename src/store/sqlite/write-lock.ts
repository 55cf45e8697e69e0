/**
 * @module Serialises writes on the one SQLite connection of this process. A transaction holds the
 * lock for its whole (async) body; writes made inside it (tracked with AsyncLocalStorage) do not
 * wait for it again. Other processes are kept out by SQLite's own locking (BEGIN IMMEDIATE).
 * Open one store per process: two connections of one process would wait on each other.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseSync } from 'node:sqlite';

export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();
  /** `open` turns false when the transaction ends: work it started that outlives it waits again. */
  readonly #inside = new AsyncLocalStorage<{ open: boolean }>();
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Runs one write (or a group of writes) atomically. */
  async write<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#inside.getStore()?.open) return fn();
    return this.#exclusive(fn);
  }

  #exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = (): T | Promise<T> => {
      this.#db.exec('BEGIN IMMEDIATE');
      const scope = { open: true };
      let result: T | Promise<T>;
      try {
        result = this.#inside.run(scope, fn);
      } catch (err) {
        scope.open = false;
        this.#db.exec('ROLLBACK');
        throw err;
      }
      // A synchronous body commits in the same tick, so no other write can land inside it.
      if (!(result instanceof Promise)) {
        scope.open = false;
        this.#db.exec('COMMIT');
        return result;
      }
      return result.then(
        (value) => {
          scope.open = false;
          this.#db.exec('COMMIT');
          return value;
        },
        (err: unknown) => {
          scope.open = false;
          this.#db.exec('ROLLBACK');
          throw err;
        },
      );
    };
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

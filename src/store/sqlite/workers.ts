/**
 * @module SQLite registry of the farm's build hosts: labels and last-seen time per worker id.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { WorkerRecord, WorkerRegistry } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteWorkers implements WorkerRegistry {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  seen(worker: WorkerRecord): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        `INSERT INTO workers (id, labels, last_seen) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET labels = excluded.labels, last_seen = excluded.last_seen`,
      ).run(worker.id, JSON.stringify(worker.labels), worker.lastSeen);
    });
  }

  async list(): Promise<WorkerRecord[]> {
    const rows = statement(this.#db, 'SELECT id, labels, last_seen FROM workers ORDER BY last_seen DESC').all() as {
      id: string;
      labels: string;
      last_seen: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      labels: JSON.parse(r.labels) as Record<string, unknown>,
      lastSeen: r.last_seen,
    }));
  }
}

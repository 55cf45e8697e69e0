/**
 * @module SQLite table of the build hosts' own worker tokens (hashes only).
 */
import type { DatabaseSync } from 'node:sqlite';
import { DuplicateKeyError, type WorkerTokenRecord, type WorkerTokenRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

interface Row {
  name: string;
  hash: string;
  created_at: string;
}
const record = (r: Row): WorkerTokenRecord => ({ name: r.name, hash: r.hash, createdAt: r.created_at });

export class SqliteWorkerTokens implements WorkerTokenRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  create(token: WorkerTokenRecord): Promise<void> {
    return this.#lock.write(() => {
      if (statement(this.#db, 'SELECT 1 FROM worker_tokens WHERE name = ?').get(token.name))
        throw new DuplicateKeyError(token.name);
      statement(this.#db, 'INSERT INTO worker_tokens (name, hash, created_at) VALUES (?, ?, ?)').run(
        token.name,
        token.hash,
        token.createdAt,
      );
    });
  }

  async get(name: string): Promise<WorkerTokenRecord | undefined> {
    const row = statement(this.#db, 'SELECT name, hash, created_at FROM worker_tokens WHERE name = ?').get(name) as
      | Row
      | undefined;
    return row ? record(row) : undefined;
  }

  async list(): Promise<WorkerTokenRecord[]> {
    return (
      statement(this.#db, 'SELECT name, hash, created_at FROM worker_tokens ORDER BY name').all() as unknown as Row[]
    ).map(record);
  }

  revoke(name: string): Promise<boolean> {
    return this.#lock.write(
      () => Number(statement(this.#db, 'DELETE FROM worker_tokens WHERE name = ?').run(name).changes) > 0,
    );
  }
}

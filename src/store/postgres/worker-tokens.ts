/**
 * @module PostgreSQL table of the build hosts' own worker tokens (hashes only).
 */
import { DuplicateKeyError, type WorkerTokenRecord, type WorkerTokenRepository } from '../types.ts';
import { isUniqueViolation, type PgDatabase } from './database.ts';

interface Row {
  name: string;
  hash: string;
  created_at: string;
}
const record = (r: Row): WorkerTokenRecord => ({ name: r.name, hash: r.hash, createdAt: r.created_at });

export class PgWorkerTokens implements WorkerTokenRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(token: WorkerTokenRecord): Promise<void> {
    try {
      await this.#db.query('INSERT INTO worker_tokens (name, hash, created_at) VALUES ($1, $2, $3)', [
        token.name,
        token.hash,
        token.createdAt,
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateKeyError(token.name);
      throw err;
    }
  }

  async get(name: string): Promise<WorkerTokenRecord | undefined> {
    const rows = await this.#db.query<Row>('SELECT name, hash, created_at FROM worker_tokens WHERE name = $1', [name]);
    return rows[0] ? record(rows[0]) : undefined;
  }

  async list(): Promise<WorkerTokenRecord[]> {
    return (await this.#db.query<Row>('SELECT name, hash, created_at FROM worker_tokens ORDER BY name')).map(record);
  }

  async revoke(name: string): Promise<boolean> {
    const rows = await this.#db.query<{ name: string }>('DELETE FROM worker_tokens WHERE name = $1 RETURNING name', [
      name,
    ]);
    return rows.length > 0;
  }
}

/**
 * @module SQLite implementations of the idempotency-token and credential repositories.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Credential, CredentialRepository, IdempotencyRecord, IdempotencyRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteIdempotency implements IdempotencyRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async get(scope: string, clientToken: string): Promise<IdempotencyRecord | undefined> {
    const row = statement(
      this.#db,
      'SELECT request_hash, response FROM idempotency WHERE scope = ? AND client_token = ?',
    ).get(scope, clientToken) as { request_hash: string; response: string } | undefined;
    return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
  }

  put(scope: string, clientToken: string, record: IdempotencyRecord): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'INSERT OR REPLACE INTO idempotency (scope, client_token, request_hash, response, created_at) VALUES (?,?,?,?,?)',
      ).run(scope, clientToken, record.requestHash, JSON.stringify(record.response), new Date().toISOString());
    });
  }
}

/**
 * How long a credential read from the database is reused: every signed request looks its key up,
 * and keys change rarely (`ingot credentials create` adds one; nothing deletes one). A key added
 * by another process is seen at once (unknown keys are never cached); a secret replaced by
 * another process is seen within this time; one replaced by this process at once.
 */
export const CREDENTIAL_CACHE_MS = 1000;
const MAX_CACHED_CREDENTIALS = 1024;

export class SqliteCredentials implements CredentialRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;
  readonly #cache = new Map<string, { credential: Credential; until: number }>();

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async get(accessKeyId: string): Promise<Credential | undefined> {
    const now = performance.now();
    const cached = this.#cache.get(accessKeyId);
    if (cached && cached.until > now) return { ...cached.credential };
    const row = statement(
      this.#db,
      'SELECT access_key_id, secret_access_key, account_id FROM credentials WHERE access_key_id = ?',
    ).get(accessKeyId) as { access_key_id: string; secret_access_key: string; account_id: string } | undefined;
    if (!row) {
      this.#cache.delete(accessKeyId);
      return undefined;
    }
    const credential = {
      accessKeyId: row.access_key_id,
      secretAccessKey: row.secret_access_key,
      accountId: row.account_id,
    };
    if (this.#cache.size >= MAX_CACHED_CREDENTIALS) this.#cache.clear();
    this.#cache.set(accessKeyId, { credential, until: now + CREDENTIAL_CACHE_MS });
    return { ...credential };
  }

  put(c: Credential): Promise<void> {
    this.#cache.delete(c.accessKeyId);
    return this.#lock.write(() => {
      this.#cache.delete(c.accessKeyId);
      statement(
        this.#db,
        'INSERT OR REPLACE INTO credentials (access_key_id, secret_access_key, account_id, created_at) VALUES (?,?,?,?)',
      ).run(c.accessKeyId, c.secretAccessKey, c.accountId, new Date().toISOString());
    });
  }

  async list(): Promise<Credential[]> {
    const rows = statement(
      this.#db,
      'SELECT access_key_id, secret_access_key, account_id FROM credentials ORDER BY created_at',
    ).all() as unknown as {
      access_key_id: string;
      secret_access_key: string;
      account_id: string;
    }[];
    return rows.map((r) => ({
      accessKeyId: r.access_key_id,
      secretAccessKey: r.secret_access_key,
      accountId: r.account_id,
    }));
  }
}

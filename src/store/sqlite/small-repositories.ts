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
    const row = statement(this.#db, 'SELECT request_hash, response FROM idempotency WHERE scope = ? AND client_token = ?').get(scope, clientToken) as
      | { request_hash: string; response: string }
      | undefined;
    return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
  }

  put(scope: string, clientToken: string, record: IdempotencyRecord): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'INSERT OR REPLACE INTO idempotency (scope, client_token, request_hash, response, created_at) VALUES (?,?,?,?,?)').run(
        scope,
        clientToken,
        record.requestHash,
        JSON.stringify(record.response),
        new Date().toISOString(),
      );
    });
  }
}

export class SqliteCredentials implements CredentialRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async get(accessKeyId: string): Promise<Credential | undefined> {
    const row = statement(this.#db, 'SELECT access_key_id, secret_access_key, account_id FROM credentials WHERE access_key_id = ?').get(accessKeyId) as
      | { access_key_id: string; secret_access_key: string; account_id: string }
      | undefined;
    return row ? { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, accountId: row.account_id } : undefined;
  }

  put(c: Credential): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'INSERT OR REPLACE INTO credentials (access_key_id, secret_access_key, account_id, created_at) VALUES (?,?,?,?)').run(
        c.accessKeyId,
        c.secretAccessKey,
        c.accountId,
        new Date().toISOString(),
      );
    });
  }

  async list(): Promise<Credential[]> {
    const rows = statement(this.#db, 'SELECT access_key_id, secret_access_key, account_id FROM credentials ORDER BY created_at').all() as unknown as {
      access_key_id: string;
      secret_access_key: string;
      account_id: string;
    }[];
    return rows.map((r) => ({ accessKeyId: r.access_key_id, secretAccessKey: r.secret_access_key, accountId: r.account_id }));
  }
}

/**
 * @module PostgreSQL idempotency-token and credential repositories (secrets sealed with the same
 * `SecretBox` as in SQLite, so every replica needs the same INGOT_SECRET_KEY).
 */
import type { Credential, CredentialRepository, IdempotencyRecord, IdempotencyRepository } from '../types.ts';
import type { SecretBox } from '../secret-box.ts';
import { CREDENTIAL_CACHE_MS } from '../sqlite/small-repositories.ts';
import type { PgDatabase } from './database.ts';

export class PgIdempotency implements IdempotencyRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async get(scope: string, clientToken: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.#db.one<{ request_hash: string; response: string }>(
      'SELECT request_hash, response FROM idempotency WHERE scope = $1 AND client_token = $2',
      [scope, clientToken],
    );
    return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
  }

  async lock(scope: string, clientToken: string): Promise<void> {
    if (this.#db.inTransaction)
      await this.#db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `token:${scope}\u001f${clientToken}`,
      ]);
  }

  async put(scope: string, clientToken: string, record: IdempotencyRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO idempotency (scope, client_token, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, client_token) DO UPDATE SET request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at`,
      [scope, clientToken, record.requestHash, JSON.stringify(record.response), new Date().toISOString()],
    );
  }
}

const MAX_CACHED_CREDENTIALS = 1024;

export class PgCredentials implements CredentialRepository {
  readonly #db: PgDatabase;
  readonly #box: SecretBox;
  readonly #cache = new Map<string, { credential: Credential; until: number }>();

  constructor(db: PgDatabase, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /** On open: checks that the key opens the sealed secrets (a wrong key fails here, not per request). */
  async checkKey(): Promise<void> {
    const row = await this.#db.one<{ secret_access_key: string }>(
      "SELECT secret_access_key FROM credentials WHERE secret_access_key LIKE 'v1:%' LIMIT 1",
    );
    if (row) this.#box.open(row.secret_access_key);
  }

  async get(accessKeyId: string): Promise<Credential | undefined> {
    const now = performance.now();
    const cached = this.#cache.get(accessKeyId);
    if (cached && cached.until > now) return { ...cached.credential };
    const row = await this.#db.readOne<{ access_key_id: string; secret_access_key: string; account_id: string }>(
      'SELECT access_key_id, secret_access_key, account_id FROM credentials WHERE access_key_id = $1',
      [accessKeyId],
    );
    if (!row) {
      this.#cache.delete(accessKeyId);
      return undefined;
    }
    const credential = {
      accessKeyId: row.access_key_id,
      secretAccessKey: this.#box.open(row.secret_access_key),
      accountId: row.account_id,
    };
    if (this.#cache.size >= MAX_CACHED_CREDENTIALS) this.#cache.clear();
    this.#cache.set(accessKeyId, { credential, until: now + CREDENTIAL_CACHE_MS });
    return { ...credential };
  }

  async put(c: Credential): Promise<void> {
    this.#cache.delete(c.accessKeyId);
    await this.#db.query(
      `INSERT INTO credentials (access_key_id, secret_access_key, account_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id, created_at = excluded.created_at`,
      [c.accessKeyId, this.#box.seal(c.secretAccessKey), c.accountId, new Date().toISOString()],
    );
    this.#cache.delete(c.accessKeyId);
  }

  async list(): Promise<Credential[]> {
    const rows = await this.#db.query<{ access_key_id: string; secret_access_key: string; account_id: string }>(
      'SELECT access_key_id, secret_access_key, account_id FROM credentials ORDER BY created_at, access_key_id',
    );
    return rows.map((r) => ({
      accessKeyId: r.access_key_id,
      secretAccessKey: this.#box.open(r.secret_access_key),
      accountId: r.account_id,
    }));
  }
}

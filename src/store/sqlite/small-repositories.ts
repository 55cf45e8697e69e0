/**
 * @module SQLite implementations of the idempotency-token and credential repositories.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Credential, CredentialRepository, IdempotencyRecord, IdempotencyRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';
import type { SecretBox } from '../secret-box.ts';

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

  /** Nothing to do: a transaction holds the database's write lock already. */
  async lock(_scope: string, _clientToken: string): Promise<void> {}

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
  readonly #box: SecretBox;

  constructor(db: DatabaseSync, lock: WriteLock, box: SecretBox) {
    this.#db = db;
    this.#lock = lock;
    this.#box = box;
  }

  /**
   * On open: encrypts secrets stored in plaintext by an earlier Ingot (their old pages overwritten)
   * and checks that the key opens the sealed ones (a wrong key fails here, not on every request).
   */
  sealPlaintext(): number {
    const sealed = this.#db
      .prepare("SELECT secret_access_key FROM credentials WHERE secret_access_key LIKE 'v1:%' LIMIT 1")
      .get() as { secret_access_key: string } | undefined;
    if (sealed) this.#box.open(sealed.secret_access_key);
    const rows = this.#db
      .prepare("SELECT access_key_id, secret_access_key FROM credentials WHERE secret_access_key NOT LIKE 'v1:%'")
      .all() as { access_key_id: string; secret_access_key: string }[];
    if (!rows.length) return 0;
    this.#db.exec('PRAGMA secure_delete = ON');
    const update = this.#db.prepare(
      'UPDATE credentials SET secret_access_key = ? WHERE access_key_id = ? AND secret_access_key = ?',
    );
    for (const r of rows) update.run(this.#box.seal(r.secret_access_key), r.access_key_id, r.secret_access_key);
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return rows.length;
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
      secretAccessKey: this.#box.open(row.secret_access_key),
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
      ).run(c.accessKeyId, this.#box.seal(c.secretAccessKey), c.accountId, new Date().toISOString());
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
      secretAccessKey: this.#box.open(r.secret_access_key),
      accountId: r.account_id,
    }));
  }
}

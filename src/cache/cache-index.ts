/** @module The layer cache's index: a small node:sqlite database (WAL, crash-safe) of entries and their LRU order. */
import { DatabaseSync } from 'node:sqlite';
import type { LayerDescriptor } from '../oci/media-types.ts';
import { enableWal } from '../store/sqlite/database.ts';

export interface IndexRow {
  key: string;
  layer: LayerDescriptor;
  createdAt: number;
  lastUsedAt: number;
  sizeBytes: number;
}

interface RawRow {
  key: string;
  layer: string;
  created_at: number;
  last_used_at: number;
  size_bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  key TEXT PRIMARY KEY,
  layer TEXT NOT NULL,
  layer_digest TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  use_seq INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_lru ON entries (use_seq);
CREATE INDEX IF NOT EXISTS entries_digest ON entries (layer_digest);`;

function toRow(r: RawRow): IndexRow {
  return {
    key: r.key,
    layer: JSON.parse(r.layer) as LayerDescriptor,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    sizeBytes: r.size_bytes,
  };
}

const NEXT_SEQ = '(SELECT coalesce(max(use_seq), 0) + 1 FROM entries)';

export class CacheIndex {
  readonly #db: DatabaseSync;

  constructor(file: string) {
    this.#db = new DatabaseSync(file, { timeout: 5000 });
    enableWal(this.#db, 5000); // workers started together open a new index at once
    this.#db.exec('PRAGMA synchronous = NORMAL;');
    this.#db.exec(SCHEMA);
  }

  get(key: string): IndexRow | undefined {
    const r = this.#db.prepare('SELECT * FROM entries WHERE key = ?').get(key) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Inserts unless present (a concurrent put of the same key won); returns whether this call inserted. */
  insert(row: IndexRow): boolean {
    const result = this.#db
      .prepare(`INSERT OR IGNORE INTO entries (key, layer, layer_digest, created_at, last_used_at, use_seq, size_bytes)
      VALUES (?, ?, ?, ?, ?, ${NEXT_SEQ}, ?)`)
      .run(row.key, JSON.stringify(row.layer), row.layer.digest, row.createdAt, row.lastUsedAt, row.sizeBytes);
    return Number(result.changes) === 1;
  }

  touch(key: string, now: number): void {
    this.#db.prepare(`UPDATE entries SET last_used_at = ?, use_seq = ${NEXT_SEQ} WHERE key = ?`).run(now, key);
  }

  delete(key: string): void {
    this.#db.prepare('DELETE FROM entries WHERE key = ?').run(key);
  }

  /** Entries least recently used first. */
  lru(): IndexRow[] {
    return (this.#db.prepare('SELECT * FROM entries ORDER BY use_seq ASC').all() as unknown as RawRow[]).map(toRow);
  }

  totalBytes(): number {
    const r = this.#db.prepare('SELECT coalesce(sum(size_bytes), 0) AS total FROM entries').get() as { total: number };
    return Number(r.total);
  }

  digestInUse(digest: string): boolean {
    return this.#db.prepare('SELECT 1 FROM entries WHERE layer_digest = ? LIMIT 1').get(digest) !== undefined;
  }

  close(): void {
    this.#db.close();
  }
}

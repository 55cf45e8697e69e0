/**
 * @module SQLite `AuditRepository`: an append-only table (triggers refuse UPDATE and DELETE).
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { AuditEntry, AuditRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

interface Row {
  seq: number;
  at: string;
  account: string | null;
  access_key: string | null;
  operation: string;
  resource_arn: string | null;
  source_ip: string | null;
  outcome: string;
  request_id: string | null;
}

export class SqliteAudit implements AuditRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  append(e: AuditEntry): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'INSERT INTO audit_log (at, account, access_key, operation, resource_arn, source_ip, outcome, request_id) VALUES (?,?,?,?,?,?,?,?)',
      ).run(e.at, e.accountId, e.accessKeyId, e.operation, e.resourceArn, e.sourceIp, e.outcome, e.requestId);
    });
  }

  async query(q: { since?: string; operation?: string; requestId?: string; limit?: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (q.since !== undefined) where.push('at >= ?'), args.push(q.since);
    if (q.operation !== undefined) where.push('operation = ?'), args.push(q.operation);
    if (q.requestId !== undefined) where.push('request_id = ?'), args.push(q.requestId);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
    const rows = statement(this.#db, sql).all(...args, q.limit ?? 10_000) as unknown as Row[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      accountId: r.account,
      accessKeyId: r.access_key,
      operation: r.operation,
      resourceArn: r.resource_arn,
      sourceIp: r.source_ip,
      outcome: r.outcome,
      requestId: r.request_id,
    }));
  }
}

/**
 * @module SQLite `EventRepository`: image state changes (recorded by triggers in the same
 * transaction as the change, whichever process made it), named read cursors and webhook deliveries,
 * and the retention that deletes old events whose deliveries are finished.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { EventDelivery, EventRepository, ImageEvent } from '../types.ts';
import { type DeliveryRow, toDelivery } from '../rows.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteEvents implements EventRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  async imageEvents(afterSeq: number, limit: number): Promise<ImageEvent[]> {
    const rows = statement(this.#db, 'SELECT * FROM image_events WHERE seq > ? ORDER BY seq LIMIT ?').all(
      afterSeq,
      limit,
    ) as unknown as { seq: number; image_arn: string; status: string | null; doc: string; at: string }[];
    return rows.map((r) => ({
      seq: r.seq,
      imageArn: r.image_arn,
      status: r.status,
      doc: JSON.parse(r.doc) as Record<string, unknown>,
      at: r.at,
    }));
  }

  async cursor(name: string): Promise<number> {
    const row = statement(this.#db, 'SELECT seq FROM event_cursors WHERE name = ?').get(name) as
      | { seq: number }
      | undefined;
    return row?.seq ?? 0;
  }

  setCursor(name: string, seq: number): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'INSERT INTO event_cursors (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = MAX(seq, excluded.seq)',
      ).run(name, seq);
    });
  }

  addDelivery(d: { eventSeq: number; topicArn: string; url: string; body: string; now: number }): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'INSERT OR IGNORE INTO event_deliveries (event_seq, topic_arn, url, body, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      ).run(d.eventSeq, d.topicArn, d.url, d.body, d.now);
    });
  }

  async dueDeliveries(now: number, maxAttempts: number, limit: number): Promise<EventDelivery[]> {
    const rows = statement(
      this.#db,
      'SELECT * FROM event_deliveries WHERE delivered_at IS NULL AND next_attempt_at <= ? AND attempts < ? ORDER BY event_seq, id LIMIT ?',
    ).all(now, maxAttempts, limit) as unknown as DeliveryRow[];
    return rows.map(toDelivery);
  }

  claimDeliveries(now: number, maxAttempts: number, limit: number, leaseMs: number): Promise<EventDelivery[]> {
    return this.#lock.write(() => {
      const rows = statement(
        this.#db,
        `UPDATE event_deliveries SET next_attempt_at = ? WHERE id IN (
           SELECT id FROM event_deliveries WHERE delivered_at IS NULL AND next_attempt_at <= ? AND attempts < ? ORDER BY event_seq, id LIMIT ?)
         RETURNING *`,
      ).all(now + leaseMs, now, maxAttempts, limit) as unknown as DeliveryRow[];
      return rows.map(toDelivery).sort((a, b) => a.eventSeq - b.eventSeq || a.id - b.id);
    });
  }

  markDelivered(id: number, at: string): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'UPDATE event_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?',
      ).run(at, id);
    });
  }

  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        'UPDATE event_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
      ).run(error.slice(0, 500), nextAttemptAt, id);
    });
  }

  async deliveries(): Promise<EventDelivery[]> {
    return (statement(this.#db, 'SELECT * FROM event_deliveries ORDER BY id').all() as unknown as DeliveryRow[]).map(
      toDelivery,
    );
  }

  prune(opts: {
    before: string;
    upToSeq: number;
    maxAttempts: number;
    limit: number;
  }): Promise<{ events: number; deliveries: number }> {
    return this.#lock.write(() => {
      // Sequence numbers are AUTOINCREMENT: never handed out again, so cursors stay valid.
      const seqs = statement(
        this.#db,
        `DELETE FROM image_events WHERE seq IN (
          SELECT e.seq FROM image_events e
          WHERE e.seq <= ? AND e.at < ?
            AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_seq = e.seq AND d.delivered_at IS NULL AND d.attempts < ?)
          ORDER BY e.seq LIMIT ?)
        RETURNING seq`,
      ).all(opts.upToSeq, opts.before, opts.maxAttempts, opts.limit) as unknown as { seq: number }[];
      let deliveries = 0;
      const drop = statement(this.#db, 'DELETE FROM event_deliveries WHERE event_seq = ?');
      for (const { seq } of seqs) deliveries += Number(drop.run(seq).changes);
      return { events: seqs.length, deliveries };
    });
  }
}

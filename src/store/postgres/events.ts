/**
 * @module PostgreSQL `EventRepository`: image state changes (recorded by a trigger in the changing
 * transaction, numbered in commit order), read cursors, webhook deliveries and their retention.
 */
import type { EventDelivery, EventRepository, ImageEvent } from '../types.ts';
import { type DeliveryRow, toDelivery } from '../rows.ts';
import type { PgDatabase } from './database.ts';

export class PgEvents implements EventRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async imageEvents(afterSeq: number, limit: number): Promise<ImageEvent[]> {
    const rows = await this.#db.query<{
      seq: number;
      image_arn: string;
      status: string | null;
      doc: string;
      at: string;
    }>('SELECT seq, image_arn, status, doc::text AS doc, at FROM image_events WHERE seq > $1 ORDER BY seq LIMIT $2', [
      afterSeq,
      limit,
    ]);
    return rows.map((r) => ({
      seq: r.seq,
      imageArn: r.image_arn,
      status: r.status,
      doc: JSON.parse(r.doc) as Record<string, unknown>,
      at: r.at,
    }));
  }

  async cursor(name: string): Promise<number> {
    return (await this.#db.one<{ seq: number }>('SELECT seq FROM event_cursors WHERE name = $1', [name]))?.seq ?? 0;
  }

  async setCursor(name: string, seq: number): Promise<void> {
    await this.#db.query(
      'INSERT INTO event_cursors (name, seq) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET seq = GREATEST(event_cursors.seq, excluded.seq)',
      [name, seq],
    );
  }

  async addDelivery(d: { eventSeq: number; topicArn: string; url: string; body: string; now: number }): Promise<void> {
    await this.#db.query(
      'INSERT INTO event_deliveries (event_seq, topic_arn, url, body, next_attempt_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [d.eventSeq, d.topicArn, d.url, d.body, d.now],
    );
  }

  async dueDeliveries(now: number, maxAttempts: number, limit: number): Promise<EventDelivery[]> {
    const rows = await this.#db.query<DeliveryRow>(
      'SELECT * FROM event_deliveries WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND attempts < $2 ORDER BY event_seq, id LIMIT $3',
      [now, maxAttempts, limit],
    );
    return rows.map(toDelivery);
  }

  async claimDeliveries(now: number, maxAttempts: number, limit: number, leaseMs: number): Promise<EventDelivery[]> {
    const rows = await this.#db.query<DeliveryRow>(
      `UPDATE event_deliveries SET next_attempt_at = $1 WHERE id IN (
         SELECT id FROM event_deliveries WHERE delivered_at IS NULL AND next_attempt_at <= $2 AND attempts < $3
         ORDER BY event_seq, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now + leaseMs, now, maxAttempts, limit],
    );
    return rows.map(toDelivery).sort((a, b) => a.eventSeq - b.eventSeq || a.id - b.id);
  }

  async markDelivered(id: number, at: string): Promise<void> {
    await this.#db.query(
      'UPDATE event_deliveries SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2',
      [at, id],
    );
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.#db.query(
      'UPDATE event_deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3',
      [error.slice(0, 500), nextAttemptAt, id],
    );
  }

  async deliveries(): Promise<EventDelivery[]> {
    return (await this.#db.query<DeliveryRow>('SELECT * FROM event_deliveries ORDER BY id')).map(toDelivery);
  }

  prune(opts: {
    before: string;
    upToSeq: number;
    maxAttempts: number;
    limit: number;
  }): Promise<{ events: number; deliveries: number }> {
    return this.#db.transaction(async () => {
      // Identity numbers are never handed out again, so cursors stay valid.
      const seqs = await this.#db.query<{ seq: number }>(
        `DELETE FROM image_events WHERE seq IN (
          SELECT e.seq FROM image_events e
          WHERE e.seq <= $1 AND e.at < $2
            AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_seq = e.seq AND d.delivered_at IS NULL AND d.attempts < $3)
          ORDER BY e.seq LIMIT $4)
        RETURNING seq`,
        [opts.upToSeq, opts.before, opts.maxAttempts, opts.limit],
      );
      const deliveries = seqs.length
        ? await this.#db.count('DELETE FROM event_deliveries WHERE event_seq = ANY($1::bigint[])', [
            seqs.map((s) => String(s.seq)),
          ])
        : 0;
      return { events: seqs.length, deliveries };
    });
  }
}

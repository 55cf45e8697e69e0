/** @module PostgreSQL tables of the build logs: one row per line, a summary row per image (see types.ts). */
import { prepareLines, SEQ_MAX, TIME_MAX, TIME_MIN } from '../build-log-lines.ts';
import { BUILD_LOG_MAX_LINES } from '../../config/settings.ts';
import type { BuildLogLine, BuildLogQuery, BuildLogRepository, BuildLogSummary } from '../types.ts';
import type { PgDatabase } from './database.ts';

interface SummaryRow {
  image_arn: string;
  last_seq: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
}

export class PgBuildLogs implements BuildLogRepository {
  readonly #db: PgDatabase;

  readonly maxLines: number;

  constructor(db: PgDatabase, maxLines = BUILD_LOG_MAX_LINES) {
    this.#db = db;
    this.maxLines = maxLines;
  }

  async append(
    imageArn: string,
    account: string,
    lines: readonly { timestamp: number; message: string }[],
    keep?: number,
  ): Promise<number> {
    const p = prepareLines(lines, keep ?? this.maxLines);
    const db = this.#db;
    if (!p.messages.length)
      return (
        (await db.one<{ last_seq: number }>('SELECT last_seq FROM build_log_streams WHERE image_arn = $1', [imageArn]))
          ?.last_seq ?? 0
      );
    return db.transaction(async () => {
      // The summary row's lock orders concurrent appends to one image (each takes the next seqs).
      const row = await db.one<{ last_seq: number }>(
        `INSERT INTO build_log_streams (image_arn, account, last_seq, bytes, first_ts, last_ts)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (image_arn) DO UPDATE SET last_seq = build_log_streams.last_seq + excluded.last_seq,
           bytes = build_log_streams.bytes + excluded.bytes, last_ts = excluded.last_ts
         RETURNING last_seq`,
        [imageArn, account, p.messages.length, p.bytes, p.timestamps[0]!, p.timestamps.at(-1)!],
      );
      const last = row!.last_seq;
      await db.query(
        `INSERT INTO build_log_lines (image_arn, seq, ts, message)
         SELECT $1, $2 + l.ord, l.ts, l.message FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS l(ts, message, ord)`,
        [imageArn, last - p.messages.length, p.timestamps.map(String), p.messages],
      );
      if (last > p.keep)
        await db.query(
          `WITH gone AS (DELETE FROM build_log_lines WHERE image_arn = $1 AND seq <= $2 RETURNING octet_length(message) AS n)
           UPDATE build_log_streams SET bytes = bytes - COALESCE((SELECT sum(n) FROM gone), 0),
             first_ts = (SELECT ts FROM build_log_lines WHERE image_arn = $1 AND seq > $2 ORDER BY seq LIMIT 1)
           WHERE image_arn = $1`,
          [imageArn, last - p.keep],
        );
      return last;
    });
  }

  async read(imageArn: string, q: BuildLogQuery): Promise<BuildLogLine[]> {
    const rows = await this.#db.query<{ seq: number; ts: number; message: string }>(
      `SELECT seq, ts, message FROM build_log_lines
       WHERE image_arn = $1 AND seq > $2 AND seq < $3 AND ts >= $4 AND ts < $5
       ORDER BY seq ${q.newest ? 'DESC' : 'ASC'} LIMIT $6`,
      [imageArn, q.after ?? 0, q.before ?? SEQ_MAX, q.from ?? TIME_MIN, q.to ?? TIME_MAX, q.limit],
    );
    const lines = rows.map((r) => ({ seq: r.seq, timestamp: r.ts, message: r.message }));
    return q.newest ? lines.reverse() : lines;
  }

  async summaries(account: string): Promise<BuildLogSummary[]> {
    const rows = await this.#db.query<SummaryRow>(
      'SELECT image_arn, last_seq, bytes, first_ts, last_ts FROM build_log_streams WHERE account = $1',
      [account],
    );
    return rows.map((r) => ({
      imageArn: r.image_arn,
      lastSeq: r.last_seq,
      bytes: r.bytes,
      firstTimestamp: r.first_ts,
      lastTimestamp: r.last_ts,
    }));
  }

  async deleteOfImage(imageArn: string): Promise<void> {
    await this.#db.transaction(async () => {
      await this.#db.query('DELETE FROM build_log_lines WHERE image_arn = $1', [imageArn]);
      await this.#db.query('DELETE FROM build_log_streams WHERE image_arn = $1', [imageArn]);
    });
  }
}

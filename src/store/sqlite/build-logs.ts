/** @module SQLite tables of the build logs: one row per line, a summary row per image (see types.ts). */
import type { DatabaseSync } from 'node:sqlite';
import { BUILD_LOG_MAX_LINES } from '../../config/settings.ts';
import { prepareLines, SEQ_MAX, TIME_MAX, TIME_MIN } from '../build-log-lines.ts';
import type { BuildLogLine, BuildLogQuery, BuildLogRepository, BuildLogSummary } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

interface SummaryRow {
  image_arn: string;
  last_seq: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
}

export class SqliteBuildLogs implements BuildLogRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  readonly maxLines: number;

  constructor(db: DatabaseSync, lock: WriteLock, maxLines = BUILD_LOG_MAX_LINES) {
    this.#db = db;
    this.#lock = lock;
    this.maxLines = maxLines;
  }

  async append(
    imageArn: string,
    account: string,
    lines: readonly { timestamp: number; message: string }[],
    keep?: number,
  ): Promise<number> {
    const p = prepareLines(lines, keep ?? this.maxLines);
    return this.#lock.write(() => {
      const db = this.#db;
      const row = statement(db, 'SELECT last_seq FROM build_log_streams WHERE image_arn = ?').get(imageArn) as
        | { last_seq: number }
        | undefined;
      let seq = row?.last_seq ?? 0;
      if (!p.messages.length) return seq;
      if (!row)
        statement(
          db,
          'INSERT INTO build_log_streams (image_arn, account, last_seq, bytes, first_ts, last_ts) VALUES (?, ?, 0, 0, ?, ?)',
        ).run(imageArn, account, p.timestamps[0]!, p.timestamps[0]!);
      const insert = statement(db, 'INSERT INTO build_log_lines (image_arn, seq, ts, message) VALUES (?, ?, ?, ?)');
      for (let i = 0; i < p.messages.length; i++) insert.run(imageArn, ++seq, p.timestamps[i]!, p.messages[i]!);
      let removed = 0;
      if (seq > p.keep) {
        const gone = statement(
          db,
          'DELETE FROM build_log_lines WHERE image_arn = ? AND seq <= ? RETURNING length(CAST(message AS BLOB)) AS n',
        ).all(imageArn, seq - p.keep) as { n: number }[];
        for (const g of gone) removed += g.n;
      }
      statement(
        db,
        `UPDATE build_log_streams SET last_seq = ?, bytes = bytes + ?, last_ts = ?,
           first_ts = (SELECT ts FROM build_log_lines WHERE image_arn = ? ORDER BY seq LIMIT 1)
         WHERE image_arn = ?`,
      ).run(seq, p.bytes - removed, p.timestamps.at(-1)!, imageArn, imageArn);
      return seq;
    });
  }

  async read(imageArn: string, q: BuildLogQuery): Promise<BuildLogLine[]> {
    const rows = statement(
      this.#db,
      `SELECT seq, ts, message FROM build_log_lines
       WHERE image_arn = ? AND seq > ? AND seq < ? AND ts >= ? AND ts < ?
       ORDER BY seq ${q.newest ? 'DESC' : 'ASC'} LIMIT ?`,
    ).all(imageArn, q.after ?? 0, q.before ?? SEQ_MAX, q.from ?? TIME_MIN, q.to ?? TIME_MAX, q.limit) as {
      seq: number;
      ts: number;
      message: string;
    }[];
    const lines = rows.map((r) => ({ seq: r.seq, timestamp: r.ts, message: r.message }));
    return q.newest ? lines.reverse() : lines;
  }

  async summaries(account: string): Promise<BuildLogSummary[]> {
    const rows = statement(
      this.#db,
      'SELECT image_arn, last_seq, bytes, first_ts, last_ts FROM build_log_streams WHERE account = ?',
    ).all(account) as unknown as SummaryRow[];
    return rows.map((r) => ({
      imageArn: r.image_arn,
      lastSeq: r.last_seq,
      bytes: r.bytes,
      firstTimestamp: r.first_ts,
      lastTimestamp: r.last_ts,
    }));
  }

  deleteOfImage(imageArn: string): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'DELETE FROM build_log_lines WHERE image_arn = ?').run(imageArn);
      statement(this.#db, 'DELETE FROM build_log_streams WHERE image_arn = ?').run(imageArn);
    });
  }
}

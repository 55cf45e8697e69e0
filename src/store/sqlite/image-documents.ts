/**
 * @module SQLite table of the documents of images built on build hosts (manifest, SBOMs, findings).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ImageDocument, ImageDocumentRepository } from '../types.ts';
import { statement } from './database.ts';
import type { WriteLock } from './write-lock.ts';

export class SqliteImageDocuments implements ImageDocumentRepository {
  readonly #db: DatabaseSync;
  readonly #lock: WriteLock;

  constructor(db: DatabaseSync, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  put(doc: ImageDocument): Promise<void> {
    return this.#lock.write(() => {
      statement(
        this.#db,
        `INSERT INTO image_documents (image_arn, name, account, body, stored_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(image_arn, name) DO UPDATE SET account = excluded.account, body = excluded.body,
           stored_at = excluded.stored_at`,
      ).run(doc.imageArn, doc.name, doc.account, doc.body, new Date().toISOString());
    });
  }

  async get(imageArn: string, name: string): Promise<string | undefined> {
    const row = statement(this.#db, 'SELECT body FROM image_documents WHERE image_arn = ? AND name = ?').get(
      imageArn,
      name,
    ) as { body: string } | undefined;
    return row?.body;
  }

  deleteOfImage(imageArn: string): Promise<void> {
    return this.#lock.write(() => {
      statement(this.#db, 'DELETE FROM image_documents WHERE image_arn = ?').run(imageArn);
    });
  }
}

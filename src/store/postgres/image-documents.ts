/**
 * @module PostgreSQL table of the documents of images built on build hosts (manifest, SBOMs, findings).
 */
import type { ImageDocument, ImageDocumentRepository } from '../types.ts';
import type { PgDatabase } from './database.ts';

export class PgImageDocuments implements ImageDocumentRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async put(doc: ImageDocument): Promise<void> {
    await this.#db.query(
      `INSERT INTO image_documents (image_arn, name, account, body, stored_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (image_arn, name) DO UPDATE SET account = excluded.account, body = excluded.body,
         stored_at = excluded.stored_at`,
      [doc.imageArn, doc.name, doc.account, doc.body, new Date().toISOString()],
    );
  }

  async get(imageArn: string, name: string): Promise<string | undefined> {
    const rows = await this.#db.query<{ body: string }>(
      'SELECT body FROM image_documents WHERE image_arn = $1 AND name = $2',
      [imageArn, name],
    );
    return rows[0]?.body;
  }

  async deleteOfImage(imageArn: string): Promise<void> {
    await this.#db.query('DELETE FROM image_documents WHERE image_arn = $1', [imageArn]);
  }
}

/**
 * @module Only the owner may read Ingot's data: the data directory is 0700 and the database with
 * its `-wal`/`-shm` files (and config.json) 0600, made so on creation and corrected on every open.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Before opening: the directory (0700) and an empty database file (0600) if there is none. */
export function prepareDataFiles(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A shared sticky directory (/tmp) is not a data directory: leave its mode alone.
  if (!(statSync(dir).mode & 0o1000)) chmodSync(dir, 0o700);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** After opening (SQLite made the WAL files): every database file, and config.json (registry passwords, S3 keys), 0600. */
export function secureDataFiles(file: string): void {
  const config = join(dirname(file), 'config.json');
  for (const f of [file, `${file}-wal`, `${file}-shm`, config]) if (existsSync(f)) chmodSync(f, 0o600);
}

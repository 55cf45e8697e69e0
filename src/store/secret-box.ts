/**
 * @module Encryption at rest of the secrets in the database (SigV4 secret access keys): AES-256-GCM
 * with a key the operator controls, `INGOT_SECRET_KEY` (base64 of 32 bytes), else the file
 * `INGOT_SECRET_KEY_FILE`, else `$INGOT_HOME/secret.key` (made once, mode 0600). Sealed values are
 * `v1:BASE64(iv | tag | ciphertext)`; values without the prefix are plaintext from before.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'v1:';
const KEY_BYTES = 32;

export class SecretBox {
  readonly #key: Buffer;
  /** Where the key came from, for error messages. */
  readonly source: string;

  constructor(key: Buffer, source: string) {
    if (key.length !== KEY_BYTES) throw new Error(`${source}: the secret key must be ${KEY_BYTES} bytes (base64)`);
    this.#key = key;
    this.source = source;
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plaintext of a sealed value (a legacy plaintext value is returned as it is). */
  open(stored: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `cannot decrypt a stored secret with the key from ${this.source}: it is not the key the secrets were encrypted with`,
      );
    }
  }
}

/** The operator's key (see the module comment), making `$INGOT_HOME/secret.key` on first use. */
export function loadSecretBox(home: string, key: { inline?: string; file?: string } = {}): SecretBox {
  if (key.inline) return new SecretBox(Buffer.from(key.inline, 'base64'), 'INGOT_SECRET_KEY');
  const file = key.file || join(home, 'secret.key');
  if (!existsSync(file)) {
    // The data directory may not exist yet when the store is PostgreSQL (SQLite's file makes it).
    if (!key.file) mkdirSync(home, { recursive: true, mode: 0o700 });
    // Written whole under a private name, then linked into place: a second process starting at the
    // same moment either wins the link or reads the complete key of the first.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  chmodSync(file, 0o600);
  return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), file);
}

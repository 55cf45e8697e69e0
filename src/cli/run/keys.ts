/**
 * @module The user's SSH public key for `ingot run`: `--ssh-key FILE` (a .pub file, or a private
 * key whose .pub sits beside it), else the first of ~/.ssh/id_ed25519.pub, id_ecdsa.pub,
 * id_rsa.pub; none means the VM's throwaway key only (its path is printed).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../../errors/ingot-error.ts';

const DEFAULT_KEYS = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'];
const PUBLIC_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$/;

export interface UserKey {
  publicKey: string;
  file: string;
}

async function readPublicKey(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const line = text
    ?.split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return line && PUBLIC_KEY.test(line) ? line : undefined;
}

export async function userSshKey(given: string | undefined, home = homedir()): Promise<UserKey | undefined> {
  if (given !== undefined) {
    for (const file of given.endsWith('.pub') ? [given] : [`${given}.pub`, given]) {
      const publicKey = await readPublicKey(file);
      if (publicKey) return { publicKey, file };
    }
    throw new IngotError(
      'invalid-input',
      `--ssh-key ${given}: no OpenSSH public key there (give the .pub file, or a private key with its .pub beside it)`,
    );
  }
  for (const name of DEFAULT_KEYS) {
    const file = join(home, '.ssh', name);
    const publicKey = await readPublicKey(file);
    if (publicKey) return { publicKey, file };
  }
  return undefined;
}

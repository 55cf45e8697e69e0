/**
 * @module Access keys. `INGOT_ACCESS_KEY_ID`/`INGOT_SECRET_ACCESS_KEY`/`INGOT_ACCOUNT_ID` define
 * the default key; when they are unset, a key is generated once, stored in the database and
 * printed once. More keys (other accounts) come from `ingot credentials create`.
 */
import { randomBytes } from 'node:crypto';
import type { Credential, Store } from '../store/types.ts';
import type { Settings } from '../config/settings.ts';
import { IngotError } from '../errors/ingot-error.ts';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateCredential(accountId: string): Credential {
  const id = [...randomBytes(16)].map((b) => ALPHANUM[b % ALPHANUM.length]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/[+/]/g, 'x'),
    accountId,
  };
}

export interface DefaultCredentialResult {
  credential: Credential;
  /** True when the key was generated just now (show it to the user once). */
  generated: boolean;
}

export async function ensureDefaultCredential(
  store: Store,
  settings: Pick<Settings, 'accountId' | 'accessKeyId' | 'secretAccessKey'>,
): Promise<DefaultCredentialResult> {
  const { accountId, accessKeyId: keyId, secretAccessKey: secret } = settings;
  if (keyId || secret) {
    if (!keyId || !secret)
      throw new IngotError('invalid-config', 'set both INGOT_ACCESS_KEY_ID and INGOT_SECRET_ACCESS_KEY, or neither');
    const credential = { accessKeyId: keyId, secretAccessKey: secret, accountId };
    await store.credentials.put(credential);
    return { credential, generated: false };
  }
  const existing = (await store.credentials.list()).find((c) => c.accountId === accountId);
  if (existing) return { credential: existing, generated: false };
  const credential = generateCredential(accountId);
  await store.credentials.put(credential);
  return { credential, generated: true };
}

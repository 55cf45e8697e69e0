/**
 * @module ECDSA P-256 signing keys as PEM files (PKCS#8 private, SPKI public: what cosign's `--key` and
 * `openssl dgst -verify` read), and where the key comes from (`--key` or `INGOT_SIGNING_KEY`).
 */
import { settingFromEnv } from '../config/settings.ts';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';

export const KEY_FILES = { private: 'signing.key', public: 'signing.pub' } as const;
export const SIGNING_KEY_ENV = 'INGOT_SIGNING_KEY';

export interface SigningKeyFiles {
  privateKeyPath: string;
  publicKeyPath: string;
}

/** Writes a new P-256 key pair to `dir/signing.key` (mode 0600) and `dir/signing.pub`. */
export async function generateSigningKey(dir: string): Promise<SigningKeyFiles> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await mkdir(dir, { recursive: true });
  const privateKeyPath = join(dir, KEY_FILES.private);
  const publicKeyPath = join(dir, KEY_FILES.public);
  await writeFile(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKeyPath, publicKeyPath };
}

async function readPem(path: string, what: string): Promise<string> {
  return readFile(path, 'utf8').catch((err: unknown) => {
    throw new IngotError('invalid-input', `cannot read the ${what} ${path}`, { cause: err });
  });
}

function checkCurve(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new IngotError(
      'invalid-input',
      `${path} is not an ECDSA P-256 key (found ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''})`.trim(),
    );
  }
  return key;
}

export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const pem = await readPem(path, 'signing key');
  try {
    return checkCurve(createPrivateKey(pem), path);
  } catch (err) {
    if (err instanceof IngotError) throw err;
    throw new IngotError('invalid-input', `${path} is not an unencrypted PEM private key`, {
      cause: err,
    });
  }
}

/** A public key file, or the public half of a private key file. */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  const pem = await readPem(path, 'public key');
  try {
    return checkCurve(createPublicKey(pem), path);
  } catch (err) {
    if (err instanceof IngotError) throw err;
    throw new IngotError('invalid-input', `${path} is not a PEM public (or private) key`, {
      cause: err,
    });
  }
}

/** The signing key path: the explicit one, else `env`'s INGOT_SIGNING_KEY, else undefined (outputs stay unsigned). */
export function signingKeyPath(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return explicit || settingFromEnv('signingKey', env);
}

/** ECDSA-SHA256 signature (ASN.1 DER, as cosign and openssl write it), base64. */
export function signBytes(data: Buffer | string, key: KeyObject): string {
  return sign('sha256', typeof data === 'string' ? Buffer.from(data) : data, key).toString('base64');
}

export function verifyBytes(data: Buffer | string, signatureBase64: string, key: KeyObject): boolean {
  try {
    return verify(
      'sha256',
      typeof data === 'string' ? Buffer.from(data) : data,
      key,
      Buffer.from(signatureBase64.trim(), 'base64'),
    );
  } catch {
    return false;
  }
}

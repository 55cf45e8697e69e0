/**
 * @module Who may use the worker API: a build host presenting its own token (`NAME.SECRET`, made by
 * `ingot workers token create NAME`, kept hashed in the store, revocable; it may act only as worker
 * NAME) or the farm's shared token (the INGOT_WORKER_TOKEN setting, for one-host setups; any worker
 * id), as `Authorization: Bearer TOKEN`, compared in constant time. Workers hold no database
 * credentials and no SigV4 key; a token only reaches the worker API.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/types.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A build host's name: what its token is created under and the worker id it must use. */
export const TOKEN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** A new token for build host `name` and the hash the store keeps (the token itself is shown once). */
export function newWorkerToken(name: string): { token: string; hash: string } {
  const token = `${name}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: digest(token).toString('hex') };
}

/** The build host a per-host token names (what `ingot worker` uses as its id by default), if it is one. */
export const tokenName = (token: string): string | undefined => {
  const dot = token.lastIndexOf('.');
  const name = dot > 0 ? token.slice(0, dot) : '';
  return TOKEN_NAME.test(name) && /^[A-Za-z0-9_-]{43}$/.test(token.slice(dot + 1)) ? name : undefined;
};

export type TokenCheck =
  | { ok: true /** The build host the token belongs to; undefined for the shared token. */; host?: string }
  | { ok: false; status: 401 | 404; error: string };

/** Checks the Authorization header against the shared token and the build hosts' tokens. */
export async function checkToken(
  header: string | undefined,
  shared: string | undefined,
  store: Pick<Store, 'workerTokens'>,
): Promise<TokenCheck> {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : undefined;
  const presented = m?.[1];
  if (presented && shared && timingSafeEqual(digest(presented), digest(shared))) return { ok: true };
  const name = presented ? tokenName(presented) : undefined;
  const record = name ? await store.workerTokens.get(name) : undefined;
  if (presented && record && timingSafeEqual(digest(presented), Buffer.from(record.hash, 'hex')))
    return { ok: true, host: record.name };
  if (!shared && !record && !(await store.workerTokens.list()).length)
    return {
      ok: false,
      status: 404,
      error:
        'the worker API is off on this server: create a build host token with `ingot workers token create NAME` (or set INGOT_WORKER_TOKEN)',
    };
  if (!header) return { ok: false, status: 401, error: 'missing Authorization: Bearer <worker token>' };
  if (!presented) return { ok: false, status: 401, error: 'the Authorization header must be "Bearer <worker token>"' };
  return { ok: false, status: 401, error: 'the worker token is not this control plane’s (or it was revoked)' };
}

/**
 * @module Who may use the worker API: a build host presenting the farm's worker token
 * (`Authorization: Bearer TOKEN`, the INGOT_WORKER_TOKEN setting), compared in constant time.
 * Workers hold no database credentials and no SigV4 key; the token only reaches the worker API.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Why the request is refused (401), or undefined when its token is the farm's. */
export function refuseToken(header: string | undefined, token: string): string | undefined {
  if (!header) return 'missing Authorization: Bearer <worker token>';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) return 'the Authorization header must be "Bearer <worker token>"';
  return timingSafeEqual(digest(m[1]!), digest(token)) ? undefined : 'the worker token is not this control plane’s';
}

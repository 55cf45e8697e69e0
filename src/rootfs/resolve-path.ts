/**
 * @module Maps a path inside a sandbox to the host path backing it, following symlinks the way
 * the sandbox itself would (absolute targets start at the sandbox root, `..` stops at it), so a
 * copy never follows a link out of the instance.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { lstat, readlink } from 'node:fs/promises';

/** An instance directory backed by a host directory (`/` → the root; `/tmp` → the private tmp). */
export interface PathMapping {
  instancePath: string;
  hostPath: string;
}

export interface ResolvedPath {
  /** Canonical path inside the instance (no symlinks left, except a final one when not followed). */
  instancePath: string;
  hostPath: string;
  exists: boolean;
}

const MAX_LINKS = 40;

/** Host path of a canonical instance path: the longest matching mapping wins. */
export function hostPathOf(mappings: readonly PathMapping[], instancePath: string): string {
  let best: PathMapping | undefined;
  for (const m of mappings) {
    const inside =
      m.instancePath === '/' || instancePath === m.instancePath || instancePath.startsWith(`${m.instancePath}/`);
    if (inside && (!best || m.instancePath.length > best.instancePath.length)) best = m;
  }
  if (!best) throw new Error(`no mapping for ${instancePath}`);
  const rest = best.instancePath === '/' ? instancePath : instancePath.slice(best.instancePath.length);
  return `${best.hostPath.replace(/\/+$/, '')}${rest === '/' ? '' : rest}` || '/';
}

/** Resolves `path` (absolute, inside the instance). `followLast: false` keeps a final symlink itself. */
export async function resolveInInstance(
  mappings: readonly PathMapping[],
  path: string,
  followLast = true,
): Promise<ResolvedPath> {
  if (!path.startsWith('/'))
    throw new IngotError('invalid-input', `instance path must be absolute: ${JSON.stringify(path)}`);
  let pending = path.split('/').filter((p) => p && p !== '.');
  let done: string[] = [];
  let links = 0;
  let exists = true;
  while (pending.length > 0) {
    const [name = '', ...rest] = pending;
    pending = rest;
    if (name === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, name];
    if (!exists) {
      done = candidate;
      continue;
    }
    const st = await lstat(hostPathOf(mappings, `/${candidate.join('/')}`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!st) {
      exists = false;
      done = candidate;
      continue;
    }
    if (st.isSymbolicLink() && (pending.length > 0 || followLast)) {
      if (++links > MAX_LINKS)
        throw Object.assign(new Error(`too many symbolic links resolving ${path}`), { code: 'ELOOP' });
      const target = await readlink(hostPathOf(mappings, `/${candidate.join('/')}`));
      if (target.startsWith('/')) done = [];
      pending = [...target.split('/').filter((p) => p && p !== '.'), ...pending];
      continue;
    }
    done = candidate;
  }
  const instancePath = `/${done.join('/')}`;
  return { instancePath, hostPath: hostPathOf(mappings, instancePath), exists };
}

/** @module Path checks for extracting untrusted layers: reject escaping names, resolve symlinks as if chrooted. */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../../errors/ingot-error.ts';

/** Validates a tar entry path: relative, no `..` component, not empty. Returns its components. */
export function entryComponents(path: string): string[] {
  if (path.startsWith('/')) throw escape(path, 'absolute paths are not allowed');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw escape(path, "'..' components are not allowed");
  if (parts.length === 0) throw escape(path, 'empty path');
  return parts;
}

function escape(path: string, rule: string): IngotError {
  return new IngotError('malformed', `layer entry '${path}': ${rule}`, { data: { path } });
}

/**
 * Resolves `parts` under `root` the way the kernel would inside a chroot at `root`: symlinks (absolute or with `..`)
 * can never lead out of it. The last component is followed only when `followLast` is set.
 */
export async function resolveInRoot(root: string, parts: readonly string[], followLast = false): Promise<string> {
  const queue = [...parts];
  const resolved: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    if (queue.length === 0 && !followLast) {
      resolved.push(part);
      break;
    }
    const full = join(root, ...candidate);
    const st = await lstat(full).catch(() => null);
    if (!st?.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++hops > 40)
      throw new IngotError('malformed', `too many levels of symbolic links resolving '${parts.join('/')}'`);
    const target = await readlink(full);
    if (target.startsWith('/')) resolved.length = 0;
    queue.unshift(...target.split('/'));
  }
  return join(root, ...resolved);
}

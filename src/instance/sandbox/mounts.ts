/** @module overlayfs mount/unmount for sandboxes, and finding mounts left below a directory. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { UnsupportedInstanceError } from '../types.ts';

const run = promisify(execFile);

export interface OverlaySpec {
  /** Topmost first, as overlayfs wants them. */
  lowerDirs: readonly string[];
  upperDir: string;
  workDir: string;
}

/** overlayfs option string. Paths with `:` `,` or `\` would need escaping overlayfs does not do reliably. */
export function overlayOptions(spec: OverlaySpec): string {
  for (const p of [...spec.lowerDirs, spec.upperDir, spec.workDir]) {
    if (/[:,\\\n]/.test(p))
      throw new Error(`overlay layer path may not contain ':', ',' or '\\': ${JSON.stringify(p)}`);
  }
  // redirect_dir/metacopy off: the upper dir must hold plain files and whiteouts (it becomes an OCI layer).
  const opts = `lowerdir=${spec.lowerDirs.join(':')},upperdir=${spec.upperDir},workdir=${spec.workDir},redirect_dir=off,metacopy=off,index=off`;
  if (opts.length > 4000)
    throw new Error(`too many overlay layers: the mount option string would be ${opts.length} bytes (max ~4000)`);
  return opts;
}

export async function mountOverlay(spec: OverlaySpec, target: string): Promise<void> {
  if (spec.lowerDirs.length === 0) throw new Error('an overlay sandbox needs at least one lower dir');
  try {
    await run('mount', ['-t', 'overlay', 'ingot-sandbox', '-o', overlayOptions(spec), target]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new UnsupportedInstanceError(`cannot mount overlayfs at ${target}: ${stderr || (err as Error).message}`);
  }
}

/** Unmounts `target`, falling back to a lazy unmount if something still holds it. */
export async function unmount(target: string): Promise<void> {
  try {
    await run('umount', [target]);
  } catch {
    await run('umount', ['--lazy', target]).catch(() => {});
  }
}

const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((l) => unescapeMount(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

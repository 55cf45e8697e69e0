/**
 * @module overlayfs mount options with the path checks every layer merge goes through, and the host-side
 * mount/unmount that sandboxes keep for their lifetime.
 */
import { IngotError } from '../errors/ingot-error.ts';
import { runCommand } from '../process/index.ts';

export interface OverlaySpec {
  /** Read-only layers, topmost first, as overlayfs wants them. */
  lowerDirs: readonly string[];
  /** With an upper (and work) dir the merge is writable; writes land in the upper dir. */
  upperDir?: string;
  workDir?: string;
  /**
   * overlayfs `volatile`: no sync of the upper dir's file system, at unmount or ever. Only where
   * nothing relies on that sync: writes that are thrown away, or that the caller fsyncs itself (a
   * build's layer, src/engine/durable.ts). After a crash the upper dir may miss writes, and a
   * volatile work dir refuses to be mounted again.
   */
  volatile?: boolean;
}

/** Longest option string the kernel takes (one page, less some headroom). */
const MAX_OPTIONS = 4000;

/**
 * The `-o` option string for `mount -t overlay`. Refuses paths with `:` `,` `\` or a newline: overlayfs
 * splits its options on them and escaping is not reliable, so such a path would mount other layers.
 */
export function overlayOptions(spec: OverlaySpec): string {
  if (spec.lowerDirs.length === 0) throw new IngotError('internal', 'an overlay needs at least one lower dir');
  if ((spec.upperDir === undefined) !== (spec.workDir === undefined))
    throw new IngotError('internal', 'a writable overlay needs both an upper and a work dir');
  const paths = [...spec.lowerDirs, ...(spec.upperDir ? [spec.upperDir, spec.workDir!] : [])];
  for (const p of paths) {
    if (/[:,\\\n]/.test(p) || p === '')
      throw new IngotError(
        'invalid-input',
        `overlay layer path may not contain ':', ',' or '\\\\': ${JSON.stringify(p)}`,
      );
  }
  let opts = `lowerdir=${spec.lowerDirs.join(':')}`;
  // redirect_dir/metacopy off: the upper dir holds plain files and whiteouts only (it can become an OCI layer).
  if (spec.upperDir)
    opts += `,upperdir=${spec.upperDir},workdir=${spec.workDir},redirect_dir=off,metacopy=off,index=off${spec.volatile ? ',volatile' : ''}`;
  if (opts.length > MAX_OPTIONS)
    throw new IngotError(
      'unsupported',
      `too many overlay layers: the mount option string would be ${opts.length} bytes (max ~${MAX_OPTIONS})`,
    );
  return opts;
}

/** Mounts the overlay at `target` in this process's mount namespace (it stays until `unmount`). */
export async function mountOverlay(spec: OverlaySpec, target: string, source = 'ingot-overlay'): Promise<void> {
  await runCommand(['mount', '-t', 'overlay', source, '-o', overlayOptions(spec), target]);
}

/**
 * Unmounts every target (in the order given: deepest first) with one `umount` process; if that
 * fails, each one again by `unmount` (a target already gone just fails quietly there).
 */
export async function unmountAll(targets: readonly string[]): Promise<void> {
  if (targets.length === 0) return;
  const r = await runCommand(['umount', ...targets], { check: false });
  if (r.exitCode !== 0) for (const t of targets) await unmount(t);
}

/** Unmounts `target`, falling back to a lazy unmount if something still holds it. */
export async function unmount(target: string): Promise<void> {
  try {
    await runCommand(['umount', target]);
  } catch {
    await runCommand(['umount', '--lazy', target]).catch(() => {});
  }
}

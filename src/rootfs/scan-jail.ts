/**
 * @module The jail a host tool (OpenSCAP, Lynis) scans an image in: a chroot whose `/image` is the image's
 * discarded writable view and whose other paths are only the host's programs (`/usr`, read-only) and what
 * the caller binds in, so a link in the image (to `/etc/shadow`, a host file, `/proc/kcore`) resolves to
 * nothing of the host's. The image is mounted `nodev,nosuid`, its FIFOs and sockets and its files larger
 * than a cap are removed from the view first (a scanner's plain `grep` cannot hang on them or read a
 * sparse terabyte), and the tool runs with a clean environment (nothing of Ingot's, which the image could
 * link to as /proc/1/environ) in its own PID and network namespaces, killed as a whole.
 */
import { IngotError } from '../errors/ingot-error.ts';

/** Where the image is inside the jail (what `{ROOT}` becomes). */
export const JAIL_IMAGE = '/image';

export interface JailBind {
  /** A host directory. */
  hostPath: string;
  /** Absolute path inside the jail (not below /image, /usr, /proc, /dev). */
  jailPath: string;
  writable?: boolean;
}

export interface JailOptions {
  binds?: readonly JailBind[];
  /** Files in the image larger than this are left out of the scanned view (default 64 MiB). */
  maxFileBytes?: number;
}

/** Host /etc entries the tools need to run (library cache, alternatives links, Lynis' default profile). */
const HOST_ETC = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'lynis', 'localtime', 'xml'];
/** procfs files that show the host (kernel memory, keys, logs) and are hidden in the jail. */
const PROC_MASKED = ['kcore', 'kmsg', 'keys', 'key-users', 'kallsyms', 'timer_list', 'sched_debug', 'sysrq-trigger'];

// Runs as pid 1 of a new PID namespace (unshare -pf), in the merge's private mount namespace ($MERGED: the view).
// $1.. : `ro|rw HOST JAILPATH` triples, then `--`, then the tool's argv.
const SCRIPT = `set -eu
J=$JAIL_DIR
mount -t tmpfs -o size=64m,mode=0755,nosuid,nodev ingot-scan-jail "$J"
mkdir "$J/image" "$J/proc" "$J/dev" "$J/tmp" "$J/etc" "$J/root"
chmod 1777 "$J/tmp"
mount --rbind "$MERGED" "$J/image"
mount -o remount,bind,nodev,nosuid "$J/image"
find "$J/image" -xdev \\( -type p -o -type s -o -type f -size +"$JAIL_MAX_KIB"k \\) -delete
for d in usr bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$J/$d"
  elif [ -d "/$d" ]; then mkdir "$J/$d"; mount --rbind "/$d" "$J/$d"; mount -o remount,bind,ro "$J/$d"
  fi
done
for e in $JAIL_ETC; do
  if [ -e "/etc/$e" ]; then
    if [ -d "/etc/$e" ]; then mkdir "$J/etc/$e"; else : > "$J/etc/$e"; fi
    mount --bind "/etc/$e" "$J/etc/$e"; mount -o remount,bind,ro "$J/etc/$e"
  fi
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$J/etc/passwd"
echo 'root:x:0:' > "$J/etc/group"
: > "$J/dev/null"; mount --bind /dev/null "$J/dev/null"
mount -t proc -o nosuid,nodev,noexec ingot-scan-proc "$J/proc"
for f in $JAIL_PROC_MASKED; do if [ -e "$J/proc/$f" ]; then mount --bind /dev/null "$J/proc/$f"; fi; done
mount --bind "$J/proc/sys" "$J/proc/sys"; mount -o remount,bind,ro "$J/proc/sys"
while [ "$1" != -- ]; do
  mkdir -p "$J$3"; mount --bind "$2" "$J$3"
  if [ "$1" != rw ]; then mount -o remount,bind,ro "$J$3"; fi
  shift 3
done
shift
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb chroot "$J" "$@"`;

/**
 * argv that runs `tool` (paths as the jail sees them) jailed over the merged view (withMergedLayers
 * exports it as `MERGED`), with `jailDir` (an empty host directory) as the jail's mount point, and the
 * environment it needs.
 */
export function jailCommand(
  jailDir: string,
  tool: readonly string[],
  opts: JailOptions = {},
): { argv: string[]; env: Record<string, string> } {
  const binds: string[] = [];
  for (const b of opts.binds ?? []) {
    if (!b.jailPath.startsWith('/') || /(^|\/)\.\.(\/|$)/.test(b.jailPath) || b.jailPath === '/')
      throw new IngotError('internal', `jail bind target must be an absolute path: ${JSON.stringify(b.jailPath)}`);
    if (/^\/(image|usr|proc|dev|etc|bin|sbin|lib)(\/|$)/.test(b.jailPath))
      throw new IngotError('internal', `jail bind target ${b.jailPath} would cover the jail's own files`);
    binds.push(b.writable ? 'rw' : 'ro', b.hostPath, b.jailPath);
  }
  const maxKib = Math.max(1, Math.floor((opts.maxFileBytes ?? 64 * 1024 * 1024) / 1024));
  return {
    argv: ['unshare', '-p', '-f', '-n', '--kill-child', 'sh', '-c', SCRIPT, 'ingot-scan-jail', ...binds, '--', ...tool],
    env: {
      JAIL_DIR: jailDir,
      JAIL_MAX_KIB: String(maxKib),
      JAIL_ETC: HOST_ETC.join(' '),
      JAIL_PROC_MASKED: PROC_MASKED.join(' '),
    },
  };
}

/**
 * @module What a build changed inside an instance, from two listings of its root file system
 * taken with `find` (before and after the components ran). An entry counts as changed when its
 * inode, type or ctime differs: ctime moves on every write, chmod, chown, rename or link, so this
 * is exact, unlike a size+mtime quick check (and dpkg sets old mtimes on the files it unpacks).
 */

/**
 * Paths whose contents never become part of a layer: mount points of the running system (find's
 * -xdev still prints them), scratch space and per-boot state, and the resolver configuration the
 * build VM gets (as a sandbox gets the host's, never part of the image).
 */
export const NOT_CAPTURED = [
  '/proc',
  '/sys',
  '/dev',
  '/run',
  '/tmp',
  '/var/tmp',
  '/var/log/journal',
  '/var/lib/ingot-firstboot',
  '/var/lib/cloud',
  '/var/log/cloud-init.log',
  '/var/log/cloud-init-output.log',
  '/var/lib/systemd/random-seed',
  '/var/lib/dhcp',
  '/etc/resolv.conf',
] as const;

/**
 * Files that identify one machine, made by the build VM's own first boot (SSH host keys are
 * partly generated after sshd starts): never captured, as every machine made from the image makes
 * its own. Their removal by a component is still captured.
 */
const MACHINE_IDENTITY = /^etc\/ssh\/ssh_host_[^/]*$/;

/** A shell command printing `INODE CTIME TYPE<TAB>PATH\0` for every entry of the root file system (paths relative to /). */
export function listingCommand(): string[] {
  const prune = NOT_CAPTURED.flatMap((p, i) => [...(i ? ['-o'] : []), '-path', p]);
  return ['find', '/', '-xdev', '-mindepth', '1', '(', ...prune, ')', '-prune', '-o', '-printf', '%i %C@ %y\\t%P\\0'];
}

/** Path → identity (inode, ctime, type). */
export type Listing = Map<string, string>;

export function parseListing(text: string): Listing {
  const out: Listing = new Map();
  for (const record of text.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab > 0) out.set(record.slice(tab + 1), record.slice(0, tab));
  }
  return out;
}

export interface Changes {
  /** New or changed entries, parents before children. */
  changed: string[];
  /** Entries gone since `before`, only the topmost of a removed subtree. */
  removed: string[];
}

export function changesBetween(before: Listing, after: Listing): Changes {
  const changed = [...after]
    .filter(([path, id]) => before.get(path) !== id && !MACHINE_IDENTITY.test(path))
    .map(([path]) => path)
    .sort();
  const gone = new Set([...before.keys()].filter((path) => !after.has(path)));
  const underGone = (path: string): boolean => {
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1))
      if (gone.has(path.slice(0, cut))) return true;
    return false;
  };
  const removed = [...gone].filter((path) => !underGone(path)).sort();
  return { changed, removed };
}

/** Every directory above these paths (they carry owner and mode into the layer), parents first. */
export function ancestorsOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** @module Runs mmdebstrap to bootstrap a Debian root file system from the host's configured mirror. */
import { createHash } from 'node:crypto';
import { IngotError } from '../errors/ingot-error.ts';
import { CommandFailed, runCommand } from '../process/index.ts';
import type { ManagedBase } from './catalogue.ts';
import { CLOUD_PACKAGES } from './cloud-packages.ts';

export interface BootstrapSources {
  mirror: string;
  components: string[];
  securityMirror?: string;
}

/** Files a real Debian install has but a bootstrap copies from (or lacks on) the build host. */
const CUSTOMIZE_HOOKS = [
  `printf '127.0.0.1\\tlocalhost\\n::1\\tlocalhost ip6-localhost ip6-loopback\\nff02::1\\tip6-allnodes\\nff02::2\\tip6-allrouters\\n' > "$1/etc/hosts"`,
  `echo debian > "$1/etc/hostname"`,
  // The sandbox mounts the host's resolver over this empty file; none of the build host's leaks in.
  `rm -f "$1/etc/resolv.conf" && : > "$1/etc/resolv.conf"`,
  // Every machine made from the base gets its own identity (Ingot's first boot makes SSH host keys).
  `rm -f "$1"/etc/ssh/ssh_host_*`,
  `if [ -e "$1/etc/machine-id" ]; then : > "$1/etc/machine-id"; fi`,
];

/**
 * mmdebstrap runs in its own mount and pid namespaces, tied to this process: if Ingot dies, the
 * whole bootstrap (forks, dpkg, maintainer scripts) is killed and the /dev, /proc and /sys mounts
 * it made in the tree vanish with the namespace; the next ensureBaseImage removes the half tree.
 */
const CONTAINED = [
  '--pdeathsig',
  'KILL',
  '--',
  'unshare',
  '--mount',
  '--propagation',
  'private',
  '--pid',
  '--fork',
  '--kill-child=SIGKILL',
  '--',
];

/** The apt source lines the image gets (and is bootstrapped from). */
export function sourceLines(base: ManagedBase, src: BootstrapSources): string[] {
  const comps = src.components.join(' ');
  const lines = [`deb ${src.mirror} ${base.suite} ${comps}`, `deb ${src.mirror} ${base.suite}-updates ${comps}`];
  if (src.securityMirror) lines.push(`deb ${src.securityMirror} ${base.suite}-security ${comps}`);
  return lines;
}

/**
 * What a base is made of, apart from its sources: variant and packages. Cloud bases use Debian's
 * "important" set (what debootstrap and Debian's cloud images start from) plus CLOUD_PACKAGES; the
 * apt lists of the bootstrap are kept, so `apt-get install` works without an update first.
 */
function variantArgs(base: ManagedBase): string[] {
  if (base.variant === 'minbase') return ['--variant=minbase'];
  return ['--variant=important', `--include=${CLOUD_PACKAGES.join(',')}`, '--skip=cleanup/apt/lists'];
}

/**
 * A short key of the base's definition (variant, packages, hooks). Stored with each bootstrap; a
 * current base whose key differs is rebootstrapped rather than reused, so changing the package set
 * never serves an old tree under the new name.
 */
export function baseDefinitionKey(base: ManagedBase): string {
  const def = JSON.stringify({ v: 2, args: variantArgs(base), hooks: CUSTOMIZE_HOOKS, suite: base.suite });
  return createHash('sha256').update(def).digest('hex').slice(0, 16);
}

/**
 * mmdebstrap's own hook that runs every dpkg of the bootstrap under eatmydata (fetched from the
 * mirror into the tree and removed again at the end, so the base's content is unchanged): dpkg's
 * fsync per file and per status update is the bulk of a bootstrap's time on a busy disk, and
 * `force-unsafe-io` alone leaves most of them. Nothing is durable until the bootstrap is recorded,
 * so the caller syncs the finished tree once instead (ensure.ts).
 */
export const EATMYDATA_HOOK_DIR = '/usr/share/mmdebstrap/hooks/eatmydata';

/** mmdebstrap's argument list for `base` (see variantArgs). */
export function mmdebstrapArgs(base: ManagedBase, targetDir: string, src: BootstrapSources): string[] {
  return [
    ...variantArgs(base),
    `--architectures=${base.debArch}`,
    `--components=${src.components.join(',')}`,
    '--dpkgopt=force-unsafe-io',
    `--hook-dir=${EATMYDATA_HOOK_DIR}`,
    ...CUSTOMIZE_HOOKS.map((h) => `--customize-hook=${h}`),
    base.suite,
    targetDir,
    ...sourceLines(base, src),
  ];
}

/** Bootstraps into `targetDir` (must not exist or be empty); output lines go to `onLine`. */
export async function runMmdebstrap(
  base: ManagedBase,
  targetDir: string,
  src: BootstrapSources,
  onLine: (line: string) => void,
): Promise<void> {
  const tail: string[] = [];
  const onOutput = (line: string) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > 20) tail.shift();
    onLine(line);
  };
  await runCommand(['setpriv', ...CONTAINED, 'mmdebstrap', ...mmdebstrapArgs(base, targetDir, src)], {
    onLine: onOutput,
  }).catch((err: unknown) => {
    if (err instanceof CommandFailed && err.startError)
      throw new IngotError('unavailable', `cannot run mmdebstrap: ${err.startError.message}`, {
        description: 'Install the mmdebstrap package (scripts/install-system-deps.sh) to build managed base images.',
      });
    const e = err as CommandFailed;
    throw new IngotError('internal', `mmdebstrap ${base.suite} failed (${e.signal ?? `exit ${e.exitCode}`})`, {
      description: tail.join('\n'),
    });
  });
}

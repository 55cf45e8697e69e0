/** @module Runs mmdebstrap to bootstrap a Debian root file system from the host's configured mirror. */
import { spawn } from 'node:child_process';
import { IngotError } from '../errors/ingot-error.ts';
import type { ManagedBase } from './catalogue.ts';

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

/** mmdebstrap's argument list: minbase (essential + apt), nothing else. */
export function mmdebstrapArgs(base: ManagedBase, targetDir: string, src: BootstrapSources): string[] {
  return [
    '--variant=minbase',
    `--architectures=${base.debArch}`,
    `--components=${src.components.join(',')}`,
    '--dpkgopt=force-unsafe-io',
    ...CUSTOMIZE_HOOKS.map((h) => `--customize-hook=${h}`),
    base.suite,
    targetDir,
    ...sourceLines(base, src),
  ];
}

/** Bootstraps into `targetDir` (must not exist or be empty); output lines go to `onLine`. */
export function runMmdebstrap(
  base: ManagedBase,
  targetDir: string,
  src: BootstrapSources,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', [...CONTAINED, 'mmdebstrap', ...mmdebstrapArgs(base, targetDir, src)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) =>
      reject(
        new IngotError('ServiceUnavailableException', `cannot run mmdebstrap: ${err.message}`, {
          description: 'Install the mmdebstrap package (scripts/install-system-deps.sh) to build managed base images.',
        }),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new IngotError('ServiceException', `mmdebstrap ${base.suite} failed (${signal ?? `exit ${code}`})`, {
            description: tail.join('\n'),
          }),
        );
    });
  });
}

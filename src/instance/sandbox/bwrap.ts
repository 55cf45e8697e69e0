/**
 * @module The bubblewrap command line for one exec: new mount/pid/uts/ipc/cgroup namespaces, the
 * instance root pivoted to `/`, private /proc, a minimal /dev, the instance's /tmp and DNS, root's
 * capabilities cut down to what package installs need, the seccomp filter; and the host-side
 * launcher that joins the cgroup and the build's network namespace first.
 */
import { findTool } from '../../process/index.ts';
import { UnsupportedInstanceError } from '../types.ts';

/** Capabilities a build step keeps (Docker's default set less NET_RAW): no SYS_ADMIN (mounts), SYS_PTRACE, NET_RAW, NET_ADMIN... */
export const SANDBOX_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

export const DEFAULT_SANDBOX_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  LANG: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
};

export interface BwrapSpec {
  /** Host directory that becomes `/` (the in-place root or the overlay mount). */
  rootView: string;
  /** Host directory mounted on /tmp. */
  tmpDir: string;
  hostname: string;
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Where the host's resolv.conf is mounted inside (already resolved through symlinks), if anywhere. */
  resolvConfTarget?: string;
  hostResolvConf?: string;
  /** The seccomp filter is on fd 3 (the launcher opens it). */
  seccomp?: boolean;
}

/** Absolute path of `bwrap`, or UnsupportedInstanceError naming the package. */
export function findBwrap(): string {
  const bwrapPath = findTool('bwrap');
  if (!bwrapPath)
    throw new UnsupportedInstanceError('the sandbox instance needs bubblewrap (apt-get install bubblewrap)');
  return bwrapPath;
}

export function bwrapArgs(spec: BwrapSpec, argv: readonly string[]): string[] {
  const args = [
    '--bind',
    spec.rootView,
    '/',
    '--proc',
    '/proc',
    '--ro-bind',
    '/proc/sys',
    '/proc/sys',
    '--dev',
    '/dev',
    '--bind',
    spec.tmpDir,
    '/tmp',
  ];
  if (spec.resolvConfTarget && spec.hostResolvConf) args.push('--ro-bind', spec.hostResolvConf, spec.resolvConfTarget);
  args.push(
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    spec.hostname,
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    ...SANDBOX_CAPABILITIES.flatMap((c) => ['--cap-add', c]),
    '--chdir',
    spec.cwd,
    '--clearenv',
  );
  if (spec.seccomp) args.push('--seccomp', '3');
  for (const [k, v] of Object.entries(spec.env)) args.push('--setenv', k, v);
  args.push('--', ...argv);
  return args;
}

export interface LauncherSpec {
  /** cgroup.procs files the launcher joins before anything can fork. */
  procsFiles: readonly string[];
  /** File opened on fd 3 for bwrap's `--seccomp 3`. */
  seccompFile?: string;
  /** Network namespace to enter (host side, before bwrap); none: the host's. */
  netnsPath?: string;
}

/** Wraps the bwrap command: join the cgroups, enter the build's network namespace, open the seccomp filter on fd 3. */
export function launcherArgv(spec: LauncherSpec, argv: readonly string[]): string[] {
  const script =
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; f=$1; shift; exec "$@" 3<"$f"';
  const inner = spec.netnsPath ? ['nsenter', `--net=${spec.netnsPath}`, '--', ...argv] : [...argv];
  return [
    '/bin/sh',
    '-c',
    script,
    'ingot-launch',
    String(spec.procsFiles.length),
    ...spec.procsFiles,
    spec.seccompFile ?? '/dev/null',
    ...inner,
  ];
}

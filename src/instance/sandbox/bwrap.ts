/**
 * @module The bubblewrap command line for one exec: new mount/pid/uts/ipc namespaces, the instance
 * root pivoted to `/`, private /proc, a minimal /dev, the instance's /tmp, the host's DNS, and
 * root's capabilities cut down to what package installs need (Docker's default set).
 */
import { findTool } from '../../process/index.ts';
import { UnsupportedInstanceError } from '../types.ts';

/** Capabilities a build step keeps; no CAP_SYS_ADMIN (mounts), SYS_MODULE, SYS_RAWIO, SYS_TIME, NET_ADMIN... */
export const SANDBOX_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
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
  for (const [k, v] of Object.entries(spec.env)) args.push('--setenv', k, v);
  args.push('--', ...argv);
  return args;
}

/** Wraps a command so its first process joins the given cgroups before anything can fork. */
export function joinCgroupsArgv(procsFiles: readonly string[], argv: readonly string[]): string[] {
  if (procsFiles.length === 0) return [...argv];
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';
  return ['/bin/sh', '-c', script, 'ingot-join', String(procsFiles.length), ...procsFiles, ...argv];
}

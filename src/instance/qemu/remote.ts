/**
 * @module The shell commands the qemu instance sends over SSH: an exec wrapper that puts the
 * program in its own session (so a timeout, an abort or the end of the exec kills the whole
 * remote process tree), and tar-based copies in both directions.
 */
import { randomBytes } from 'node:crypto';

/** POSIX shell single-quoting. */
export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export const newExecId = (): string => randomBytes(6).toString('hex');

const PIDS = '/run/ingot-exec';

/**
 * Runs argv with env in cwd; the session's process group is killed when the program ends. It
 * writes its pid file before it looks for a cancel marker, and killCommand writes the marker
 * before it reads the pid file: whichever comes second sees the other, so a kill sent while the
 * session is still starting (a loaded host) stops the program before it runs instead of missing it.
 */
export function execCommand(
  id: string,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  dir = PIDS,
): string {
  const pidFile = `${dir}/${id}`;
  const inner = `echo $$ > ${pidFile}; [ -e ${pidFile}.cancel ] && exit 137; cd "$1" || exit 1; shift; exec "$@"`;
  const envArgs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  return [
    `mkdir -p ${dir};`,
    `setsid -w sh -c ${q(inner)} ingot-exec ${q(cwd)} env -- ${envArgs.join(' ')} ${argv.map(q).join(' ')};`,
    `rc=$?; pg=$(cat ${pidFile} 2>/dev/null); [ -n "$pg" ] && kill -9 "-$pg" 2>/dev/null; rm -f ${pidFile} ${pidFile}.cancel; exit $rc`,
  ].join(' ');
}

/** Kills the process group of an exec (timeout or abort), or keeps it from starting if it has not yet. */
export function killCommand(id: string, dir = PIDS): string {
  const pidFile = `${dir}/${id}`;
  return `mkdir -p ${dir}; : > ${pidFile}.cancel; pg=$(cat ${pidFile} 2>/dev/null); [ -n "$pg" ] && kill -9 "-$pg" 2>/dev/null; true`;
}

/** Reads a tar of `name` (a file or directory in the tmp dir it unpacks to) from stdin into `dest`. */
export function untarInto(dest: string, name: string): string {
  const d = q(dest);
  const src = `"$t"/${q(name)}`;
  return (
    `set -e; t=$(mktemp -d /tmp/ingot-copy.XXXXXX); tar -xpf - -C "$t"; mkdir -p "$(dirname ${d})"; ` +
    `if [ -d ${d} ] && [ -d ${src} ]; then cp -a ${src}/. ${d}/; else rm -rf ${d}; mv ${src} ${d}; fi; rm -rf "$t"`
  );
}

/** Writes a tar of the instance path to stdout (one entry: its base name). */
export function tarOf(path: string): string {
  return `cd "$(dirname ${q(path)})" && tar -cf - "$(basename ${q(path)})"`;
}

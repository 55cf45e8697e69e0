/**
 * @module A sandbox's own network namespace (kept as a bind mount in its runtime dir) with outbound
 * access through slirp4netns: no host loopback, no host ports, no host interfaces to sniff.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UnsupportedInstanceError } from '../types.ts';
import { processStart, stopHelper } from './runtime.ts';

const run = promisify(execFile);

/** `isolated` (default): own network namespace, outbound only. `host`: the host's network (opt-in). */
export type SandboxNetwork = 'isolated' | 'host';
export const SANDBOX_NETWORKS: readonly SandboxNetwork[] = ['isolated', 'host'];

/** slirp4netns's built-in DNS forwarder inside the namespace. */
const SLIRP_DNS = '10.0.2.3';
const READY_TIMEOUT_MS = 15_000;

export interface IsolatedNetwork {
  /** Bind-mounted network namespace file (the launcher enters it with nsenter). */
  netnsPath: string;
  /** resolv.conf mounted over the instance's (slirp's DNS forwarder). */
  resolvConf: string;
  helper: { pid: number; start: string };
  /** Our end of slirp4netns's exit fd: closing it (or dying) ends slirp4netns. */
  exitSocket: Socket;
}

function commandPath(name: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The host's resolv.conf with its nameservers replaced by slirp's forwarder (search/options kept). */
export async function isolatedResolvConf(): Promise<string> {
  const host = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const kept = host.split('\n').filter((l) => /^\s*(search|domain|options)\s/.test(l));
  return [`nameserver ${SLIRP_DNS}`, ...kept, ''].join('\n');
}

/** Makes the namespace and starts slirp4netns on it; `onHelper` records the helper's pid before it is waited for. */
export async function setUpIsolatedNetwork(
  runtimeDir: string,
  onHelper: (helper: { pid: number; start: string }) => Promise<void>,
): Promise<IsolatedNetwork> {
  const slirp = commandPath('slirp4netns');
  if (!slirp)
    throw new UnsupportedInstanceError(
      'an isolated build network needs slirp4netns (apt-get install slirp4netns); or opt in to the host network',
    );
  const netnsPath = join(runtimeDir, 'netns');
  await writeFile(netnsPath, '');
  try {
    await run('unshare', [`--net=${netnsPath}`, 'true']);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new UnsupportedInstanceError(`cannot create a network namespace: ${stderr || (err as Error).message}`);
  }
  const resolvConf = join(runtimeDir, 'resolv.conf');
  await writeFile(resolvConf, await isolatedResolvConf());
  const logFd = openSync(join(runtimeDir, 'slirp4netns.log'), 'a');
  const args = ['--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp'];
  args.push('--ready-fd=3', '--exit-fd=4', '--netns-type=path', netnsPath, 'tap0');
  const child = spawn(slirp, args, { stdio: ['ignore', logFd, logFd, 'pipe', 'pipe'], detached: true });
  closeSync(logFd);
  const ready = child.stdio[3] as Socket;
  const exitSocket = child.stdio[4] as Socket;
  const pid = child.pid ?? 0;
  const helper = { pid, start: pid ? processStart(pid) : '' };
  if (pid) await onHelper(helper);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slirp4netns did not come up in time')), READY_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(why));
      };
      child.once('error', (err) => fail(`cannot start slirp4netns: ${err.message}`));
      child.once('exit', (code, sig) => fail(`slirp4netns exited (${code ?? sig}) before the network was up`));
      ready.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    if (pid) stopHelper(helper);
    const log = await readFile(join(runtimeDir, 'slirp4netns.log'), 'utf8').catch(() => '');
    throw new UnsupportedInstanceError(`${(err as Error).message}${log.trim() ? `: ${log.trim().slice(-500)}` : ''}`);
  } finally {
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    ready.destroy();
  }
  child.on('error', () => {});
  exitSocket.on('error', () => {});
  exitSocket.unref();
  child.unref();
  return { netnsPath, resolvConf, helper, exitSocket };
}

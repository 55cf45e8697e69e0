/**
 * @module A sandbox's own network namespace (kept as a bind mount in its runtime dir) with outbound
 * access through slirp4netns: no host loopback, no host ports, no host interfaces to sniff.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findTool, runCommand, startCommand } from '../../process/index.ts';
import type { StartedCommand } from '../../process/index.ts';
import { UnsupportedInstanceError } from '../types.ts';
import { processStart } from './runtime.ts';

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
  /** slirp4netns; its exit fd is its stdin, so it also ends when this process dies. */
  slirp: StartedCommand;
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
  const slirpPath = findTool('slirp4netns');
  if (!slirpPath)
    throw new UnsupportedInstanceError(
      'an isolated build network needs slirp4netns (apt-get install slirp4netns); or opt in to the host network',
    );
  const netnsPath = join(runtimeDir, 'netns');
  await writeFile(netnsPath, '');
  const made = await runCommand(['unshare', `--net=${netnsPath}`, 'true'], { check: false });
  if (made.exitCode !== 0)
    throw new UnsupportedInstanceError(`cannot create a network namespace: ${made.stderr.trim() || 'unshare failed'}`);
  const resolvConf = join(runtimeDir, 'resolv.conf');
  await writeFile(resolvConf, await isolatedResolvConf());
  // --exit-fd=0: stdin is a pipe from this process, so slirp4netns ends with it; --ready-fd=1: it writes "1".
  const args = ['--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp'];
  args.push('--ready-fd=1', '--exit-fd=0', '--netns-type=path', netnsPath, 'tap0');
  const slirp = startCommand([slirpPath, ...args], {
    stdin: 'pipe',
    stdout: 'stream',
    check: false,
    maxCapture: 64 * 1024,
    label: 'slirp4netns',
  });
  const pid = slirp.pid ?? 0;
  const helper = { pid, start: pid ? processStart(pid) : '' };
  if (pid) await onHelper(helper);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slirp4netns did not come up in time')), READY_TIMEOUT_MS);
      slirp.done.then(
        (exit) =>
          reject(new Error(`slirp4netns exited (${exit.exitCode ?? exit.signal}): ${exit.stderr.trim().slice(-500)}`)),
        (err: Error) => reject(err),
      );
      slirp.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    slirp.kill();
    throw new UnsupportedInstanceError((err as Error).message);
  }
  slirp.stdout?.resume();
  slirp.stdin?.on('error', () => {});
  return { netnsPath, resolvConf, helper, slirp };
}

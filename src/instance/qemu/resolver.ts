/**
 * @module Name resolution in a booted VM: qemu's user-mode network answers DNS at 10.0.2.3 and its
 * DHCP says so, but a Debian image without systemd-resolved or a DHCP hook writes no
 * /etc/resolv.conf, so every apt-get in the VM failed. Written when it names no server (the engine
 * never captures /etc/resolv.conf into a layer, as in sandboxes, where the host's is mounted).
 */
import type { Instance } from '../types.ts';

/** The DNS server of qemu's user-mode (slirp) network. */
export const SLIRP_DNS = '10.0.2.3';

const SCRIPT = `grep -qs '^nameserver' /etc/resolv.conf && exit 0
rm -f /etc/resolv.conf
printf 'nameserver %s\\n' "$1" > /etc/resolv.conf`;

/** Makes /etc/resolv.conf name qemu's DNS when it names none; returns whether it wrote it. */
export async function ensureResolver(instance: Instance, signal?: AbortSignal): Promise<boolean> {
  const before = await instance.exec({ argv: ['sh', '-c', "grep -qs '^nameserver' /etc/resolv.conf"], signal });
  if (before.exitCode === 0) return false;
  const r = await instance.exec({ argv: ['sh', '-c', SCRIPT, 'sh', SLIRP_DNS], signal });
  if (r.exitCode !== 0) throw new Error(`cannot write /etc/resolv.conf in the VM: ${r.stderr.trim()}`);
  return true;
}

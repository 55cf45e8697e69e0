/**
 * @module Name resolution in a booted VM: qemu's user-mode network answers DNS at 10.0.2.3 and its
 * DHCP says so, but a Debian image without systemd-resolved or a DHCP hook writes no
 * /etc/resolv.conf, so every apt-get in the VM failed. Written when it names no server (the engine
 * never captures /etc/resolv.conf into a layer, as in sandboxes, where the host's is mounted).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from '../types.ts';

/** The DNS server of qemu's user-mode (slirp) network. */
export const SLIRP_DNS = '10.0.2.3';

const SCRIPT = `grep -qs '^nameserver' /etc/resolv.conf && exit 0
rm -f /etc/resolv.conf
printf 'nameserver %s\\n' "$1" > /etc/resolv.conf`;

/**
 * Makes /etc/resolv.conf name qemu's DNS when it names none; returns whether it wrote it. The check
 * and the write are idempotent, so a session cut before it could answer (exit 255, no stderr: the
 * guest's sshd restarted by cloud-init right after the first login, seen under load) is tried again.
 */
export async function ensureResolver(instance: Instance, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const before = await instance.exec({ argv: ['sh', '-c', "grep -qs '^nameserver' /etc/resolv.conf"], signal });
    if (before.exitCode === 0) return false;
    // grep's 1 (no server named) or 2 (no file): write it; 255 is ssh's own failure.
    const r =
      before.exitCode === 255 ? before : await instance.exec({ argv: ['sh', '-c', SCRIPT, 'sh', SLIRP_DNS], signal });
    if (r.exitCode === 0) return true;
    if (r.exitCode !== 255 || attempt >= 3 || signal?.aborted)
      throw new Error(`cannot write /etc/resolv.conf in the VM (exit ${r.exitCode}): ${r.stderr.trim()}`);
    await sleep(2000);
  }
}

/**
 * @module The stages of a VM's boot to SSH (firmware + GRUB, kernel, initramfs, cloud-init, sshd),
 * from the host's wall clock, the guest's kernel log (read with dmesg, so a `quiet` kernel command
 * line that keeps the serial console short still has every line) and systemd's unit timestamps.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { QemuInstance } from './qemu-instance.ts';

export interface BootStages {
  /** qemu started → SSH answered (host wall clock). */
  toSshS: number;
  /** qemu started → kernel started (host clock minus the guest's uptime). */
  firmwareAndLoaderS: number;
  /** Kernel start → initramfs /init run. */
  kernelS: number;
  /** initramfs /init → systemd on the real root. */
  initramfsS: number;
  /** cloud-init-local start → cloud-init (init stage) done, or local stage done when the init stage was skipped: what sshd waits on. */
  cloudInitS: number | undefined;
  /** Kernel start → sshd active. */
  sshdActiveS: number;
  line: string;
}

const UNITS = [
  'cloud-init-main.service',
  'cloud-init-local.service',
  'cloud-init.service',
  'cloud-init-network.service',
  'ssh.service',
];

/** Watches `workDir` for the next VM's folder and notes (host clock, ms after the call) when its console log appears: qemu started. */
export function watchConsole(workDir: string): { stop(): { qemuMs?: number } } {
  const t0 = performance.now();
  const seen: { qemuMs?: number } = {};
  const before = new Set<string>();
  let ready = readdir(workDir).then((names) => names.forEach((n) => before.add(n)));
  const timer = setInterval(() => {
    ready = ready.then(async () => {
      if (seen.qemuMs !== undefined) return;
      for (const n of await readdir(workDir).catch(() => [] as string[])) {
        if (before.has(n) || !n.startsWith('ingot-qemu-')) continue;
        if ((await readFile(join(workDir, n, 'console.log')).catch(() => undefined)) !== undefined)
          seen.qemuMs ??= performance.now() - t0;
      }
    });
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return seen;
    },
  };
}

/** The kernel log's timestamp (s after kernel start) of the first line matching `re`. */
export const kernelStamp = (log: string, re: RegExp): number | undefined => {
  const m = new RegExp(`\\[\\s*(\\d+\\.\\d+)\\] ${re.source}`).exec(log);
  return m ? Number(m[1]) : undefined;
};

/**
 * Reads the stages of `vm`'s boot; `toSshMs` is what the host measured from the call to SSH,
 * `watched` what watchConsole saw, `startedAt` the host clock (performance.now()) of the call.
 */
export async function bootStages(
  vm: QemuInstance,
  toSshMs: number,
  watched: { qemuMs?: number },
  startedAt: number,
): Promise<BootStages> {
  const units = UNITS.map(
    (u) =>
      `echo ${u} $(systemctl show -P InactiveExitTimestampMonotonic ${u}) $(systemctl show -P ActiveEnterTimestampMonotonic ${u})`,
  ).join('; ');
  const before = performance.now();
  const up = await vm.exec({ argv: ['cat', '/proc/uptime'] });
  const after = performance.now();
  const r = await vm.exec({ argv: ['sh', '-c', `${units}; echo ---; dmesg`] });
  const [unitLines = '', kmsg = ''] = r.stdout.split('\n---\n');
  const mono = new Map<string, [number, number]>();
  for (const l of unitLines.trim().split('\n')) {
    const [unit, start, active] = l.split(' ');
    mono.set(unit!, [Number(start) / 1e6, Number(active) / 1e6]);
  }
  const initStart = kernelStamp(kmsg, /Run \/init as init process/) ?? 0;
  // initramfs-tools' /init is a shell script: systemd's first line is from the real root.
  const switchRoot = kernelStamp(kmsg, /systemd\[1\]: [^\n]*running in system mode/) ?? initStart;
  const sshd = mono.get('ssh.service')?.[1] ?? 0;
  // cloud-init from 24.3 (Debian 13): one process (cloud-init-main) runs the stages; the network stage's unit is cloud-init-network.
  const ciMain = mono.get('cloud-init-main.service');
  const ciLocal = mono.get('cloud-init-local.service');
  const ci = mono.get('cloud-init-network.service')?.[0]
    ? mono.get('cloud-init-network.service')
    : mono.get('cloud-init.service');
  // Before 24.3 the network stage is skipped (never active) when the local stage applied a local datasource.
  const ciDone = ci?.[1] || ciLocal?.[1];
  const ciStart = ciMain?.[0] || ciLocal?.[0];
  const cloudInitS = ciStart && ciDone ? ciDone - ciStart : undefined;
  const qemuS = (watched.qemuMs ?? 0) / 1000;
  // The kernel started `uptime` seconds before the guest read it (half-way through the round trip).
  const kernelAtS = ((before + after) / 2 - startedAt) / 1000 - Number(up.stdout.split(' ')[0]);
  const s: Omit<BootStages, 'line'> = {
    toSshS: toSshMs / 1000 - qemuS,
    firmwareAndLoaderS: Math.max(0, kernelAtS - qemuS),
    kernelS: initStart,
    initramfsS: switchRoot - initStart,
    cloudInitS,
    sshdActiveS: sshd,
  };
  const f = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)} s`);
  const line = `qemu start to SSH ${f(s.toSshS)}: firmware+GRUB ${f(s.firmwareAndLoaderS)}, kernel ${f(s.kernelS)}, initramfs ${f(s.initramfsS)}, cloud-init (local+init) ${f(s.cloudInitS)}, sshd active at ${f(s.sshdActiveS)} after kernel start`;
  return { ...s, line };
}

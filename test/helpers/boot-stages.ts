/**
 * @module For slow tests: the stages of a VM's boot to SSH, from the host's wall clock, the serial
 * console (kernel timestamps) and systemd in the guest (monotonic times of the units that matter):
 * firmware + GRUB, kernel, initramfs, cloud-init, sshd.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { QemuInstance } from '../../src/instance/qemu/index.ts';

export interface BootStages {
  /** qemu started → SSH answered (host wall clock). */
  toSshS: number;
  firmwareAndLoaderS: number;
  kernelS: number;
  initramfsS: number;
  /** cloud-init-local + cloud-init (init stage), until sshd may start. */
  cloudInitS: number | undefined;
  /** Kernel start → sshd active. */
  sshdActiveS: number;
  line: string;
}

const UNITS = ['cloud-init-local.service', 'cloud-init.service', 'ssh.service'];

/**
 * Watches `workDir` for the next VM's serial console log and notes (host clock, ms after the call)
 * when it appears (qemu started) and when the kernel's first line appears (firmware and GRUB done).
 */
export function watchConsole(workDir: string): { stop(): { qemuMs?: number; kernelMs?: number } } {
  const t0 = performance.now();
  const seen: { qemuMs?: number; kernelMs?: number } = {};
  const before = new Set<string>();
  let ready = readdir(workDir).then((names) => names.forEach((n) => before.add(n)));
  const timer = setInterval(() => {
    ready = ready.then(async () => {
      if (seen.kernelMs !== undefined) return;
      for (const n of await readdir(workDir).catch(() => [] as string[])) {
        if (before.has(n) || !n.startsWith('ingot-qemu-')) continue;
        const text = await readFile(join(workDir, n, 'console.log'), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        seen.qemuMs ??= performance.now() - t0;
        if (/Linux version/.test(text)) seen.kernelMs = performance.now() - t0;
      }
    });
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return seen;
    },
  };
}

/**
 * Reads the stages of `vm`'s boot; `toSshMs` is what the host measured from the call to SSH,
 * `watched` what watchConsole saw (then firmware + GRUB is measured, not derived).
 */
export async function bootStages(
  vm: QemuInstance,
  toSshMs: number,
  watched: { qemuMs?: number; kernelMs?: number } = {},
): Promise<BootStages> {
  const script = UNITS.map(
    (u) =>
      `echo ${u} $(systemctl show -P InactiveExitTimestampMonotonic ${u}) $(systemctl show -P ActiveEnterTimestampMonotonic ${u})`,
  ).join('; ');
  const r = await vm.exec({ argv: ['sh', '-c', script] });
  const mono = new Map<string, [number, number]>();
  for (const l of r.stdout.trim().split('\n')) {
    const [unit, start, active] = l.split(' ');
    mono.set(unit!, [Number(start) / 1e6, Number(active) / 1e6]);
  }
  const console = await readFile(vm.consoleLog, 'utf8').catch(() => '');
  const stamp = (re: RegExp): number | undefined => {
    const m = new RegExp(`\\[\\s*(\\d+\\.\\d+)\\] ${re.source}`).exec(console);
    return m ? Number(m[1]) : undefined;
  };
  const initStart = stamp(/Run \/init as init process/) ?? 0;
  // initramfs-tools' /init is a shell script: systemd's first line is from the real root.
  const switchRoot = stamp(/systemd\[1\]: [^\n]*running in system mode/) ?? initStart;
  const sshd = mono.get('ssh.service')?.[1] ?? 0;
  const ciLocal = mono.get('cloud-init-local.service');
  const ci = mono.get('cloud-init.service');
  const cloudInitS = ciLocal?.[0] && ci?.[1] ? ci[1] - ciLocal[0] : undefined;
  const qemuS = (watched.qemuMs ?? 0) / 1000;
  const toSshS = toSshMs / 1000 - qemuS;
  const s: Omit<BootStages, 'line'> = {
    toSshS,
    firmwareAndLoaderS: watched.kernelMs !== undefined ? watched.kernelMs / 1000 - qemuS : Math.max(0, toSshS - sshd),
    kernelS: initStart,
    initramfsS: switchRoot - initStart,
    cloudInitS,
    sshdActiveS: sshd,
  };
  const f = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)} s`);
  const line = `qemu start to SSH ${f(s.toSshS)}: firmware+GRUB ${watched.kernelMs !== undefined ? '' : '~'}${f(s.firmwareAndLoaderS)}, kernel ${f(s.kernelS)}, initramfs ${f(s.initramfsS)}, cloud-init (local+init) ${f(s.cloudInitS)}, sshd active at ${f(s.sshdActiveS)} after kernel start`;
  return { ...s, line };
}

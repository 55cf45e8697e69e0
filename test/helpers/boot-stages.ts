/**
 * @module For slow tests: the stages of a VM's boot to SSH, from the host's wall clock, the serial
 * console (kernel timestamps) and systemd in the guest (monotonic times of the units that matter):
 * firmware + GRUB, kernel, initramfs, cloud-init, sshd.
 */
import { readFile } from 'node:fs/promises';
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

const UNITS = ['cloud-init-local.service', 'cloud-init.service', 'ssh.service', 'initrd-switch-root.service'];

/** Reads the stages of `vm`'s boot; `toSshMs` is what the host measured from qemu's start to SSH. */
export async function bootStages(vm: QemuInstance, toSshMs: number): Promise<BootStages> {
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
  const switchRoot =
    mono.get('initrd-switch-root.service')?.[0] || stamp(/systemd\[1\]: .*switching root/i) || initStart;
  const sshd = mono.get('ssh.service')?.[1] ?? 0;
  const ciLocal = mono.get('cloud-init-local.service');
  const ci = mono.get('cloud-init.service');
  const cloudInitS = ciLocal?.[0] && ci?.[1] ? ci[1] - ciLocal[0] : undefined;
  const toSshS = toSshMs / 1000;
  const s: Omit<BootStages, 'line'> = {
    toSshS,
    firmwareAndLoaderS: Math.max(0, toSshS - sshd),
    kernelS: initStart,
    initramfsS: switchRoot - initStart,
    cloudInitS,
    sshdActiveS: sshd,
  };
  const f = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)} s`);
  const line = `boot to SSH ${f(s.toSshS)}: firmware+GRUB ~${f(s.firmwareAndLoaderS)}, kernel ${f(s.kernelS)}, initramfs ${f(s.initramfsS)}, cloud-init (local+init) ${f(s.cloudInitS)}, sshd active at ${f(s.sshdActiveS)} after kernel start`;
  return { ...s, line };
}

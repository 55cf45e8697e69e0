/**
 * @module One qemu process: the disk booted from a copy-on-write qcow2 overlay (the base image is
 * only ever read), the seed disk, user-mode networking with SSH forwarded to a local port, the
 * serial console logged to a file. qemu runs under `setpriv --pdeathsig KILL`, so it dies with Ingot.
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { runCommand, startCommand, type StartedCommand } from '../../process/index.ts';
import type { Accel } from './accel.ts';
import { firmwareArgv, type Firmware } from './firmware.ts';
import { driveArgv, nicDevice, type VmDevices } from './devices.ts';

export interface VmSpec {
  /** The disk to boot (never written). */
  baseDisk: string;
  baseFormat: string;
  overlay: string;
  seedDisk: string;
  consoleLog: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** Data disks after the boot disk (before the seed), e.g. the empty volumes of the recipe's block device mappings. */
  dataDisks?: readonly { file: string; format: string }[];
  /** SeaBIOS (default), OVMF, or OVMF with Secure Boot enforced and Microsoft's keys enrolled. */
  firmware?: Firmware | undefined;
  /** A writable copy of OVMF's variable store (UEFI firmware only). */
  efiVars?: string | undefined;
  /** The disk controller and NIC (default virtio for both). */
  devices?: VmDevices | undefined;
  /** More TCP ports forwarded from the host's loopback into the guest (`ingot run --forward`). */
  forwards?: readonly PortForward[];
}

export interface PortForward {
  host: number;
  guest: number;
}

export interface RunningVm {
  process: StartedCommand;
  sshPort: number;
  /** Why qemu is gone, or undefined while it runs. */
  exitReason(): string | undefined;
}

/** An empty, sparse qcow2 disk of `sizeGiB` (a data volume the VM may write). */
export async function createEmptyDisk(file: string, sizeGiB: number): Promise<void> {
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', file, `${sizeGiB}G`]);
}

export async function createOverlay(baseDisk: string, baseFormat: string, overlay: string): Promise<void> {
  // qemu-img reads a relative backing path relative to the overlay, not to the current directory.
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', resolve(baseDisk), '-F', baseFormat, overlay]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The qemu command line. `-nodefaults`: no CD-ROM, floppy, parallel port or VGA for the guest to
 * probe and load drivers for. Under TCG the CPU is qemu64 without SVM, so the guest's udev does
 * not load the KVM modules (about a second of emulated CPU each boot). `-cpu max` measured slower.
 */
export function qemuArgv(spec: VmSpec, sshPort: number): string[] {
  const firmware = firmwareArgv(spec.firmware ?? 'bios', spec.efiVars);
  const argv = [
    'qemu-system-x86_64',
    '-nodefaults',
    '-machine',
    `${firmware.machine},accel=${spec.accel}`,
    ...firmware.argv,
    '-m',
    String(spec.memoryMiB),
    '-smp',
    String(spec.cpus),
    '-cpu',
    spec.accel === 'kvm' ? 'host' : 'qemu64,-svm',
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${spec.consoleLog}`,
    ...driveArgv(spec.devices?.disk ?? 'virtio', [
      { file: spec.overlay, format: 'qcow2', discard: true },
      ...(spec.dataDisks ?? []).map((d) => ({ ...d, discard: true })),
      { file: spec.seedDisk, format: 'raw', readonly: true },
    ]),
    '-netdev',
    [
      'user,id=net0',
      `hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
      ...(spec.forwards ?? []).map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`),
    ].join(','),
    '-device',
    nicDevice(spec.devices?.nic ?? 'virtio'),
    '-device',
    'virtio-rng-pci',
    // cloud-init (ds-identify) reads the datasource from the SMBIOS serial: no probing of the others.
    '-smbios',
    'type=1,serial=ds=nocloud',
  ];
  return argv;
}

export async function startVm(spec: VmSpec): Promise<RunningVm> {
  const sshPort = await freePort();
  const child = startCommand(['setpriv', '--pdeathsig', 'KILL', '--', ...qemuArgv(spec, sshPort)], {
    stdout: 'ignore',
    check: false,
  });
  let reason: string | undefined;
  child.done.then(
    ({ exitCode, signal, stderr }) =>
      (reason = `qemu exited (${signal ?? `code ${exitCode}`})${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`),
    (err: Error) => (reason = `qemu could not start: ${err.message}`),
  );
  return { process: child, sshPort, exitReason: () => reason };
}

/** Kills qemu and waits for it to be gone. */
export async function stopVm(vm: RunningVm): Promise<void> {
  vm.process.kill();
  await vm.process.done.catch(() => {});
}

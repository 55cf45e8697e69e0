/**
 * @module Boots a QemuInstance: throwaway SSH key, first-boot seed with it, a copy-on-write
 * overlay over the disk, qemu (KVM if it probes fine, else TCG), then waits for SSH and makes sure
 * names resolve (resolver.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chooseAccel, type Accel } from './accel.ts';
import { prepareEfiVars, type Firmware } from './firmware.ts';
import type { VmDevices } from './devices.ts';
import { QemuInstance } from './qemu-instance.ts';
import { ensureResolver } from './resolver.ts';
import { writeSeedDisk } from './seed.ts';
import { makeKeyPair } from './ssh.ts';
import { createEmptyDisk, createOverlay, type PortForward, startVm } from './vm.ts';

/**
 * Two vCPUs where the host has two cores: under TCG each vCPU is a host thread, and a booting
 * systemd runs many units at once (measured: 22-28 s to SSH instead of 28-32 s on a quiet 2-core host).
 */
const DEFAULT_CPUS = Math.min(2, availableParallelism());

export interface QemuInstanceOptions {
  /** The disk image to boot; it is only read (writes go to an overlay removed by close()). */
  disk: string;
  /** qemu-img format name of `disk` (raw, qcow2, vmdk, vhdx, vpc); default raw. */
  diskFormat?: string;
  memoryMiB?: number;
  /** vCPUs (default 2, or 1 on a one-core host). */
  cpus?: number;
  accel?: Accel;
  /** How long a boot may take until SSH answers (default 600 s: TCG on a busy host is slow). */
  bootTimeoutMs?: number;
  hostname?: string;
  /** Where the overlay, seed, key and console log live (default the system temp dir). */
  workDir?: string;
  /** SeaBIOS (default), OVMF, or OVMF with Secure Boot enforced (Microsoft keys). */
  firmware?: Firmware | undefined;
  /** Public keys authorized besides the instance's own throwaway key (`ingot run`: the user's). */
  sshAuthorizedKeys?: readonly string[];
  /** The disk controller and NIC the VM has (default virtio): pvscsi + vmxnet3 as on VMware, AHCI + e1000. */
  devices?: VmDevices | undefined;
  /** More host loopback ports forwarded into the guest. */
  forwards?: readonly PortForward[];
  /** Aborting while the guest boots stops qemu at once (createQemuInstance then rejects). */
  signal?: AbortSignal | undefined;
  /**
   * Empty data volumes attached after the boot disk, in GiB (as EC2 attaches an AMI's extra block
   * device mappings to an instance launched from it); their files live in the instance's directory.
   */
  dataVolumesGiB?: readonly number[] | undefined;
  /** Told every 10 s while the guest has not answered SSH yet (with the console's last line). */
  onBootProgress?: ((line: string) => void) | undefined;
}

export async function createQemuInstance(opts: QemuInstanceOptions): Promise<QemuInstance> {
  const dir = await mkdtemp(join(opts.workDir ?? tmpdir(), 'ingot-qemu-'));
  try {
    const { keyFile, publicKey } = await makeKeyPair(dir);
    const id = basename(dir).replace(/^ingot-qemu-/, '');
    await writeSeedDisk(
      join(dir, 'seed.img'),
      {
        instanceId: `i-${id}`,
        hostname: opts.hostname ?? 'ingot-vm',
        sshAuthorizedKeys: [publicKey, ...(opts.sshAuthorizedKeys ?? [])],
      },
      dir,
    );
    await createOverlay(opts.disk, opts.diskFormat ?? 'raw', join(dir, 'overlay.qcow2'));
    const dataDisks = (opts.dataVolumesGiB ?? []).map((_, i) => ({
      file: join(dir, `volume-${i + 1}.qcow2`),
      format: 'qcow2',
    }));
    for (const [i, d] of dataDisks.entries()) await createEmptyDisk(d.file, opts.dataVolumesGiB![i]!);
    const accel = opts.accel ?? (await chooseAccel());
    const vm = await startVm({
      baseDisk: opts.disk,
      baseFormat: opts.diskFormat ?? 'raw',
      overlay: join(dir, 'overlay.qcow2'),
      seedDisk: join(dir, 'seed.img'),
      consoleLog: join(dir, 'console.log'),
      accel,
      memoryMiB: opts.memoryMiB ?? 1536,
      cpus: opts.cpus ?? DEFAULT_CPUS,
      firmware: opts.firmware,
      efiVars: await prepareEfiVars(opts.firmware ?? 'bios', join(dir, 'efivars.fd')),
      ...(opts.forwards?.length ? { forwards: opts.forwards } : {}),
      ...(opts.devices ? { devices: opts.devices } : {}),
      ...(dataDisks.length ? { dataDisks } : {}),
    });
    const instance = new QemuInstance(
      id,
      dir,
      vm,
      { port: vm.sshPort, keyFile, controlPath: join(dir, 'ssh.ctl') },
      opts.bootTimeoutMs ?? 600_000,
    );
    const onAbort = () => void instance.close();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    try {
      await instance.connect(opts.onBootProgress);
      if (opts.signal?.aborted) throw new Error('the boot was cancelled');
      await ensureResolver(instance, opts.signal);
      opts.signal?.removeEventListener('abort', onAbort);
    } catch (err) {
      const console = await readFile(join(dir, 'console.log'), 'utf8').catch(() => '');
      await instance.close();
      if (opts.signal?.aborted) throw new Error('the boot was cancelled', { cause: err });
      throw new Error(`${(err as Error).message}\nlast console lines:\n${console.split('\n').slice(-15).join('\n')}`, {
        cause: err,
      });
    }
    return instance;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * @module The virtual hardware a VM's disks and NIC sit on: virtio (KVM, OpenStack, Proxmox; the
 * default), VMware's paravirtual SCSI and VMXNET3 (what an OVA's VM gets), or AHCI SATA and an
 * Intel e1000 (the emulated devices every hypervisor offers). The boot disk and the seed go on
 * the same controller, so the guest's initramfs must carry that controller's driver.
 */

export type DiskBus = 'virtio' | 'pvscsi' | 'ahci';
export type Nic = 'virtio' | 'vmxnet3' | 'e1000';

export interface VmDevices {
  disk: DiskBus;
  nic: Nic;
}

export const DEFAULT_DEVICES: VmDevices = { disk: 'virtio', nic: 'virtio' };

export interface DriveSpec {
  file: string;
  format: string;
  readonly?: boolean;
  discard?: boolean;
}

/** qemu arguments for `drives` (boot disk first) on `bus`. */
export function driveArgv(bus: DiskBus, drives: readonly DriveSpec[]): string[] {
  // qemu's ide-hd (AHCI) cannot be read-only: there the per-VM seed copy is left writable.
  const opts = (d: DriveSpec) =>
    `file=${d.file},format=${d.format}${d.readonly && bus !== 'ahci' ? ',readonly=on' : ''}${d.discard ? ',discard=unmap' : ''}`;
  if (bus === 'virtio') return drives.flatMap((d) => ['-drive', `${opts(d)},if=virtio`]);
  const controller = bus === 'pvscsi' ? ['-device', 'pvscsi,id=hba0'] : ['-device', 'ahci,id=hba0'];
  return [
    ...controller,
    ...drives.flatMap((d, i) => [
      '-drive',
      `${opts(d)},if=none,id=drive${i}`,
      '-device',
      bus === 'pvscsi' ? `scsi-hd,drive=drive${i},bus=hba0.0,scsi-id=${i}` : `ide-hd,drive=drive${i},bus=hba0.${i}`,
    ]),
  ];
}

/**
 * The NIC device on the `net0` netdev, without its option ROM (`romfile=`): the VM boots from its
 * disk, and the firmware would otherwise load and start iPXE from the ROM on every boot (slow under TCG).
 */
export const nicDevice = (nic: Nic): string => `${nic === 'virtio' ? 'virtio-net-pci' : nic},netdev=net0,romfile=`;

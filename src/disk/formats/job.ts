/** @module What a format writer gets (the source disks: raw files or qcow2 overlays of kept disks, and the machine they belong to) and what it gives back. */
import type { Confinement } from '../../process/index.ts';

export interface SourceDisk {
  /** The disk file (only read): raw, or a qcow2 overlay of a raw disk (`format`). */
  path: string;
  /** The file's format when it is not raw (RootDisk.format: the overlay of a kept disk). */
  format?: 'qcow2' | undefined;
  sizeBytes: number;
  /** A short name for the disk inside an archive (`disk`, `volume-xvdb`). */
  name: string;
  /** The boot disk (the others are empty extra volumes). */
  boot: boolean;
}

/** The virtual machine an OVF descriptor describes (the build's instance type). */
export interface MachineSpec {
  name: string;
  cpus: number;
  memoryMiB: number;
  /** `efi` when the boot disk has an EFI system partition, else `bios`. */
  firmware: 'efi' | 'bios';
}

export interface FormatJob {
  /** One disk for the per-disk formats; the boot disk first, then the volumes, for the OVA. */
  disks: readonly SourceDisk[];
  out: string;
  workDir: string;
  machine: MachineSpec;
  /** The build's reader cgroup and abort signal, for every command the writer runs. */
  run?: Confinement | undefined;
  /** Called once `out` holds its final bytes, before the checks (which only read it): hashing may start. */
  onWritten?: ((path: string) => void) | undefined;
}

export interface WrittenFormat {
  path: string;
  /** What was checked (qemu-img check, sizes, the OVA's manifest), one line for the build log. */
  checks: string;
}

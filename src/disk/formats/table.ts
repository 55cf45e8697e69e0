/**
 * @module The one table of disk output formats: the name `--format`, the distribution
 * configuration's `ingot:disk-formats` tag and the engine's output stage use, the file extension,
 * how qemu reads it, which platform it is for, and the writer that makes it from the raw disk
 * (loaded when used: `ingot build`'s start-up reads the table without the writers).
 */
import type { ErrorCode } from '../../errors/codes.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type { FormatJob, WrittenFormat } from './job.ts';

export const DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vhd', 'ova'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

export interface FormatRow {
  extension: string;
  /** qemu's name of the format, for formats qemu boots directly (not the OVA archive). */
  qemu?: string;
  /** True when one file holds every disk of the image (the OVA); else one file per disk. */
  allDisks: boolean;
  /** Where to use it (docs/images.md repeats this). */
  platforms: string;
  write: (job: FormatJob) => Promise<WrittenFormat>;
}

export const FORMATS: Readonly<Record<DiskFormat, FormatRow>> = {
  raw: {
    extension: 'raw',
    qemu: 'raw',
    allDisks: false,
    platforms: 'dd to a device, bare metal, AWS ImportImage',
    write: (job) => import('./raw.ts').then((m) => m.writeRaw(job)),
  },
  qcow2: {
    extension: 'qcow2',
    qemu: 'qcow2',
    allDisks: false,
    platforms: 'KVM, libvirt, OpenStack, Proxmox',
    write: (job) => import('./qcow2.ts').then((m) => m.writeQcow2(job)),
  },
  vmdk: {
    extension: 'vmdk',
    qemu: 'vmdk',
    allDisks: false,
    platforms: 'VMware (streamOptimized disk alone)',
    write: (job) => import('./vmdk.ts').then((m) => m.writeVmdk(job)),
  },
  vhdx: {
    extension: 'vhdx',
    qemu: 'vhdx',
    allDisks: false,
    platforms: 'Hyper-V Generation 2 (UEFI)',
    write: (job) => import('./vhdx.ts').then((m) => m.writeVhdx(job)),
  },
  vhd: {
    extension: 'vhd',
    qemu: 'vpc',
    allDisks: false,
    platforms: 'Azure (fixed, 1 MiB aligned), Hyper-V Generation 1',
    write: (job) => import('./vhd.ts').then((m) => m.writeVhd(job)),
  },
  ova: {
    extension: 'ova',
    allDisks: true,
    platforms: 'VMware vSphere/ESXi, Workstation, Fusion, VirtualBox',
    write: (job) => import('./ova.ts').then((m) => m.writeOva(job)),
  },
};

/** The formats qemu boots, in the order the test phase and `ingot run` prefer them. */
export const BOOTABLE_ORDER: readonly DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vhd'];

export const isDiskFormat = (f: string): f is DiskFormat => (DISK_FORMATS as readonly string[]).includes(f);

/** The disk formats when none is asked for (the INGOT_IMAGE_FORMATS setting's default). */
export const DEFAULT_DISK_FORMATS: readonly DiskFormat[] = ['qcow2'];

/**
 * `--format`/tag text (comma-separated, any case) to formats, or `tar` alone (the root file system
 * tarball, no disk: the empty list); a bad name is an `IngotError` naming `what`.
 */
export function parseDiskFormats(text: string, what = '--format', code: ErrorCode = 'malformed'): DiskFormat[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('tar')) {
    if (names.some((n) => n !== 'tar'))
      throw new IngotError(code, `${what}: tar (the root file system tarball) cannot be combined with disk formats`);
    return [];
  }
  const out: DiskFormat[] = [];
  for (const f of names) {
    if (!isDiskFormat(f))
      throw new IngotError(
        code,
        `${what}: '${f}' is not a disk format (choose from ${DISK_FORMATS.join(', ')}, or tar)`,
      );
    if (!out.includes(f)) out.push(f);
  }
  if (!out.length) throw new IngotError(code, `${what}: name at least one disk format, or tar`);
  return out;
}

/** The disk formats of the INGOT_IMAGE_FORMATS setting (`tar`: none). */
export const diskFormatsOf = (setting: readonly string[] | undefined): DiskFormat[] =>
  setting ? setting.filter((f): f is DiskFormat => isDiskFormat(f)) : [...DEFAULT_DISK_FORMATS];

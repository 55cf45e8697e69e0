/** @module Disk output formats: the table, the writers' job shape, and reading an OVA back. */
export {
  BOOTABLE_ORDER,
  DEFAULT_DISK_FORMATS,
  DISK_FORMATS,
  type DiskFormat,
  diskFormatsOf,
  FORMATS,
  isDiskFormat,
  parseDiskFormats,
} from './table.ts';
export type { FormatJob, MachineSpec, SourceDisk, WrittenFormat } from './job.ts';
export { diskFirmware, onlyUefiBoots, readDiskHead } from './firmware.ts';
export { extractOvaBootDisk } from './ova.ts';
export { diskVirtualSize } from './qemu-img.ts';

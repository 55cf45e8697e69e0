/** @module Disk output formats: the table, the writers' job shape, and reading an OVA back. */
export { BOOTABLE_ORDER, DISK_FORMATS, type DiskFormat, FORMATS, isDiskFormat, parseDiskFormats } from './table.ts';
export type { FormatJob, MachineSpec, RawDisk, WrittenFormat } from './job.ts';
export { diskFirmware } from './firmware.ts';
export { extractOvaBootDisk } from './ova.ts';

/** @module Bootable VM disk images (raw, qcow2, VMDK, VHDX, VHD) from a built image, and disk import. */
export {
  DISK_FORMATS,
  DEFAULT_ROOT_GIB,
  diskLayout,
  parseDiskFormats,
  type BlockDeviceMapping,
  type DiskFormat,
  type DiskLayout,
} from './layout.ts';
export { writeDiskOutputs, bootDiskArtifact, type DiskOutputSpec, type DiskOutputs } from './outputs.ts';
export { writeRootDisk, KERNEL_ARGS, type RootDisk, type RootDiskSpec } from './root-fs.ts';
export { convertAll, checkDisk, FORMAT_SPECS, type CheckedDisk } from './convert.ts';
export { bootComponent, BOOT_COMPONENT_TEXT } from './boot-component.ts';
export { importDisk, type ImportedDisk } from './import.ts';
export { writeDiskImageOutputs, testOnDisk, wantsDisks } from './engine.ts';
export { seedFiles, SEED_LABEL, type SeedContent } from './firstboot.ts';

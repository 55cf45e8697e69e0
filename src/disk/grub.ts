/** @module Where GRUB's BIOS boot pieces live in an image: the bootable-disk layer writes them, the disk writer reads them. */

/** Modules linked into GRUB's core image, so GRUB never reads a module from disk. */
export const GRUB_MODULES =
  'biosdisk part_msdos ext2 normal linux configfile echo test serial terminal terminfo search search_fs_uuid boot';

/** GRUB's boot sector and core image, relative to the image root. */
export const GRUB_BOOT_IMG = 'usr/lib/grub/i386-pc/boot.img';
export const GRUB_CORE_IMG = 'boot/grub/i386-pc/core.img';

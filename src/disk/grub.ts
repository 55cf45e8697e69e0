/**
 * @module Where the boot pieces live in an image (the bootable-disk layer writes or installs them,
 * the disk writer reads them) and the partition GRUB's BIOS core image finds its config on.
 */

/** The root file system is GPT partition 3 (after the BIOS boot partition and the ESP). */
export const ROOT_PARTITION = 3;

/** Modules linked into GRUB's BIOS core image, so GRUB never reads a module from disk. */
export const GRUB_MODULES =
  'biosdisk part_gpt ext2 normal linux configfile echo test serial terminal terminfo search search_fs_uuid boot';

/** GRUB's BIOS boot sector and core image (prefix `(hd0,gpt3)/boot/grub`), relative to the image root. */
export const GRUB_BOOT_IMG = 'usr/lib/grub/i386-pc/boot.img';
export const GRUB_CORE_IMG = 'boot/grub/i386-pc/core.img';

/**
 * The UEFI boot chain (Debian's packages, signed for Secure Boot): shim signed by Microsoft,
 * shim's MOK manager, and GRUB signed by Debian (shim loads `grubx64.efi` from its own folder).
 */
export const EFI_FILES = {
  shim: 'usr/lib/shim/shimx64.efi.signed',
  mokManager: 'usr/lib/shim/mmx64.efi.signed',
  grub: 'usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed',
} as const;

/** Boot modes a disk supports: both (default), or one pinned by the recipe. */
export const BOOT_MODES = ['hybrid', 'uefi', 'bios'] as const;
export type BootMode = (typeof BOOT_MODES)[number];

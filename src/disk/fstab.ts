/**
 * @module The boot disk's /etc/fstab: the root file system by its UUID and, on disks with an EFI
 * system partition, the ESP at /boot/efi by its partition UUID (vfat, root-only, `nofail` so a
 * disk converted without it still boots), where shim and GRUB upgrades in the guest expect it.
 */

export const ESP_MOUNT_POINT = 'boot/efi';

/** fstab for a root file system `rootUuid` and, when the disk has one, the ESP partition `espPartUuid`. */
export function diskFstab(rootUuid: string, espPartUuid: string | undefined): string {
  const lines = [
    '# <file system> <mount point> <type> <options> <dump> <pass>',
    `UUID=${rootUuid} / ext4 defaults,errors=remount-ro 0 1`,
  ];
  if (espPartUuid) lines.push(`PARTUUID=${espPartUuid} /${ESP_MOUNT_POINT} vfat umask=0077,nofail 0 0`);
  return `${lines.join('\n')}\n`;
}

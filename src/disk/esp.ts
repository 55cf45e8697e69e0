/**
 * @module The EFI system partition, built without mounting anything (the host kernel may have no
 * vfat): `mkfs.vfat` on an image file, mtools' `mcopy` to fill it, then its bytes copied
 * into the disk at the partition's offset. It holds Debian's signed shim as the removable-media
 * boot path (`EFI/BOOT/BOOTX64.EFI`), the signed GRUB beside it, the same files in `EFI/debian` where
 * Debian's grub-install puts them (the guest mounts the ESP at /boot/efi), and a grub.cfg in both that
 * hands over to the root file system's /boot/grub/grub.cfg (the one BIOS boots use too).
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../process/index.ts';
import { SECTOR } from './gpt-write.ts';

export interface EspFiles {
  shim: Uint8Array;
  grub: Uint8Array;
  mokManager: Uint8Array;
}

/** The ESP's grub.cfg: Debian's signed GRUB reads it from its prefix (/EFI/debian) or its own folder. */
export const espGrubCfg = (rootUuid: string): string =>
  `search --no-floppy --fs-uuid --set=root ${rootUuid}\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n`;

/** Makes the ESP image in `workDir` and copies it into `disk` at `startLba` (`sectors` long). */
export async function writeEsp(
  disk: string,
  at: { startLba: number; sectors: number },
  files: EspFiles,
  rootUuid: string,
  workDir: string,
  run: Confinement = {},
  overwrite = false,
): Promise<void> {
  await placeEsp(await makeEspImage(at, files, rootUuid, workDir, run), disk, at, overwrite);
}

/**
 * Copies an ESP image made by makeEspImage into `disk` at `at.startLba` (`overwrite`: zeros too,
 * where `disk`, or `current` holding the same bytes and faster to read, differs).
 */
export async function placeEsp(
  img: string,
  disk: string,
  at: { startLba: number; sectors: number },
  overwrite = false,
  current = disk,
): Promise<void> {
  await copyInto(img, disk, at.startLba * SECTOR, overwrite, current);
}

/** Makes the ESP image (`at.sectors` long) in `workDir`; returns its path. */
export async function makeEspImage(
  at: { startLba: number; sectors: number },
  files: EspFiles,
  rootUuid: string,
  workDir: string,
  run: Confinement = {},
): Promise<string> {
  const img = join(workDir, 'esp.img');
  // The tree to copy, named as on the ESP: one mcopy copies it all.
  const tree = join(workDir, 'EFI');
  await Promise.all([mkdir(join(tree, 'BOOT'), { recursive: true }), mkdir(join(tree, 'debian'), { recursive: true })]);
  const put = (dir: string, name: string, data: Uint8Array | string) => writeFile(join(tree, dir, name), data);
  await Promise.all([
    put('BOOT', 'BOOTX64.EFI', files.shim),
    put('BOOT', 'grubx64.efi', files.grub),
    put('BOOT', 'mmx64.efi', files.mokManager),
    put('BOOT', 'grub.cfg', espGrubCfg(rootUuid)),
    put('debian', 'shimx64.efi', files.shim),
    put('debian', 'grubx64.efi', files.grub),
    put('debian', 'mmx64.efi', files.mokManager),
    put('debian', 'grub.cfg', espGrubCfg(rootUuid)),
  ]);
  // -C makes the file (size in KiB); FAT32 as the UEFI specification asks for an ESP.
  await runCommand(['mkfs.vfat', '-C', '-F', '32', '-n', 'ESP', img, String((at.sectors * SECTOR) / 1024)], run);
  await runCommand(['mcopy', '-i', img, '-s', '-Q', tree, '::/'], run);
  return img;
}

/** Copies `from` into `to` at byte `offset`, skipping all-zero blocks (a new disk file is sparse) unless `overwrite`. */
async function copyInto(from: string, to: string, offset: number, overwrite: boolean, current: string): Promise<void> {
  const src = await open(from, 'r');
  const dst = await open(to, 'r+');
  const cur = current === to ? dst : await open(current, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const old = Buffer.alloc(buf.length);
    for (let pos = 0; ; pos += buf.length) {
      const { bytesRead } = await src.read(buf, 0, buf.length, pos);
      if (!bytesRead) break;
      const chunk = buf.subarray(0, bytesRead);
      // Over an earlier disk (`overwrite`) only what differs is written: most of a rebuilt ESP is
      // what the kept disk holds already (an overlay of it then stays small); else only data.
      const differs = overwrite
        ? !(await cur.read(old, 0, bytesRead, offset + pos)).buffer.subarray(0, bytesRead).equals(chunk)
        : chunk.some((b) => b !== 0);
      if (differs) await dst.write(chunk, 0, bytesRead, offset + pos);
    }
  } finally {
    await Promise.all([src.close(), dst.close(), cur === dst ? undefined : cur.close()]);
  }
}

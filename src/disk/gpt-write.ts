/**
 * @module Writes the GPT of a boot disk with sfdisk (util-linux) straight into the disk file (no
 * loop device): a BIOS boot partition for GRUB's core image, the EFI system partition, and the
 * root file system last (so cloud-init's growpart can grow it to the disk's size).
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../process/index.ts';

export const SECTOR = 512;
const MIB = 2048;

export const BIOS_BOOT_TYPE = '21686148-6449-6E6F-744E-656564454649';
export const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const ROOT_X64_TYPE = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';

export interface GptLayout {
  biosBoot: { startLba: number; sectors: number };
  esp: { startLba: number; sectors: number };
  root: { startLba: number; sectors: number };
}

/** The partitions of a disk of `diskBytes`: 1 MiB BIOS boot, 63 MiB ESP, the rest root (4 KiB-aligned). */
export function gptLayout(diskBytes: number): GptLayout {
  const total = diskBytes / SECTOR;
  const rootStart = 64 * MIB;
  // The backup GPT takes the last 33 sectors; keep the root a whole number of 4 KiB blocks.
  const rootSectors = Math.floor((total - 34 - rootStart) / 8) * 8;
  return {
    biosBoot: { startLba: MIB, sectors: MIB },
    esp: { startLba: 2 * MIB, sectors: 62 * MIB },
    root: { startLba: rootStart, sectors: rootSectors },
  };
}

/** Writes the protective MBR and both GPT copies into `file` (already sized); `partUuids` name the root and the ESP. */
export async function writeGpt(
  file: string,
  layout: GptLayout,
  partUuids: { root: string; esp: string },
  run: Confinement = {},
): Promise<void> {
  const script = [
    'label: gpt',
    `start=${layout.biosBoot.startLba}, size=${layout.biosBoot.sectors}, type=${BIOS_BOOT_TYPE}, name="bios-boot"`,
    `start=${layout.esp.startLba}, size=${layout.esp.sectors}, type=${ESP_TYPE}, uuid=${partUuids.esp}, name="esp"`,
    `start=${layout.root.startLba}, size=${layout.root.sectors}, type=${ROOT_X64_TYPE}, uuid=${partUuids.root}, name="root"`,
    '',
  ].join('\n');
  await runCommand(['sfdisk', '--quiet', '--no-reread', '--no-tell-kernel', file], { ...run, input: script });
}

/** Sectors the primary GPT takes at the start (protective MBR, header, 32 sectors of entries) and the backup at the end. */
const PRIMARY_SECTORS = 34;
const BACKUP_SECTORS = 33;

/**
 * writeGpt over a disk that already holds data: sfdisk writes into an empty scratch file of the same
 * size (its closing fsync then has nothing to flush, where on the disk it would wait for every byte
 * just copied there), and both tables are copied into `file`.
 */
export async function writeGptOver(
  file: string,
  diskBytes: number,
  layout: GptLayout,
  partUuids: { root: string; esp: string },
  scratchDir: string,
  run: Confinement = {},
): Promise<void> {
  const scratch = join(scratchDir, 'gpt.scratch');
  const fh = await open(scratch, 'w+');
  try {
    await fh.truncate(diskBytes);
    await writeGpt(scratch, layout, partUuids, run);
    const head = Buffer.alloc(PRIMARY_SECTORS * SECTOR);
    const tail = Buffer.alloc(BACKUP_SECTORS * SECTOR);
    await fh.read(head, 0, head.length, 0);
    await fh.read(tail, 0, tail.length, diskBytes - tail.length);
    const out = await open(file, 'r+');
    try {
      await out.write(head, 0, head.length, 0);
      await out.write(tail, 0, tail.length, diskBytes - tail.length);
    } finally {
      await out.close();
    }
  } finally {
    await fh.close();
    await rm(scratch, { force: true });
  }
}

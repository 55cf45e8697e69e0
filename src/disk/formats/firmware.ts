/**
 * @module Which firmware a raw boot disk needs: `efi` when its GPT has an EFI system partition
 * (a disk with one boots by UEFI, and by BIOS too if it also has GRUB's BIOS boot partition),
 * otherwise `bios`. The OVF descriptor and the VHDX note follow it.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../../process/index.ts';

/** C12A7328-F81F-11D2-BA4B-00A0C93EC93B as GPT stores it (mixed-endian). */
const ESP = Buffer.from('28732ac11ff8d211ba4b00a0c93ec93b', 'hex');

export function hasEfiPartition(head: Buffer): boolean {
  const header = head.subarray(512, 1024);
  if (header.toString('latin1', 0, 8) !== 'EFI PART') return false;
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  for (let i = 0; i < count; i++) {
    const at = entriesLba * 512 + i * size;
    if (at + 16 > head.length) break;
    if (head.subarray(at, at + 16).equals(ESP)) return true;
  }
  return false;
}

/** The firmware of a raw disk, or of a qcow2 one (read through qemu-img dd into `scratchDir`). */
export async function diskFirmware(
  disk: string | { path: string; format?: 'qcow2' | undefined },
  scratchDir?: string,
  run: Confinement = {},
): Promise<'efi' | 'bios'> {
  if (typeof disk !== 'string' && disk.format) {
    const dir = await mkdtemp(join(scratchDir ?? '.', 'firmware-'));
    try {
      const head = join(dir, 'head.raw');
      await runCommand(
        ['qemu-img', 'dd', '-f', disk.format, '-O', 'raw', 'bs=512', 'count=34', `if=${disk.path}`, `of=${head}`],
        run,
      );
      return await diskFirmware(head);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const fh = await open(typeof disk === 'string' ? disk : disk.path, 'r');
  try {
    const head = Buffer.alloc(34 * 512);
    await fh.read(head, 0, head.length, 0);
    return hasEfiPartition(head) ? 'efi' : 'bios';
  } finally {
    await fh.close();
  }
}

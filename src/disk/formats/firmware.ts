/**
 * @module Which firmware a raw boot disk needs: `efi` when its GPT has an EFI system partition
 * (a disk with one boots by UEFI, and by BIOS too if it also has GRUB's BIOS boot partition),
 * otherwise `bios`. The OVF descriptor and the VHDX note follow it.
 */
import { open } from 'node:fs/promises';

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

export async function diskFirmware(raw: string): Promise<'efi' | 'bios'> {
  const fh = await open(raw, 'r');
  try {
    const head = Buffer.alloc(34 * 512);
    await fh.read(head, 0, head.length, 0);
    return hasEfiPartition(head) ? 'efi' : 'bios';
  } finally {
    await fh.close();
  }
}

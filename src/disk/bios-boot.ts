/**
 * @module GRUB for BIOS on a GPT disk, as grub-install would embed it: boot.img's code in the
 * protective MBR pointing at core.img, and core.img in the BIOS boot partition (its first sector's
 * blocklist pointing at the rest of it).
 */
import { SECTOR } from './gpt-write.ts';

/** Where boot.img keeps the LBA of core.img's first sector (GRUB_BOOT_MACHINE_KERNEL_SECTOR). */
const KERNEL_SECTOR_AT = 0x5c;

/** boot.img's first 440 bytes (the MBR's code area), pointing at core.img at `coreLba`. */
export function biosBootCode(bootImg: Uint8Array, coreLba: number): Buffer {
  if (bootImg.length !== SECTOR) throw new Error(`GRUB boot.img is ${bootImg.length} bytes, expected ${SECTOR}`);
  const code = Buffer.from(bootImg.subarray(0, 440));
  code.writeBigUInt64LE(BigInt(coreLba), KERNEL_SECTOR_AT);
  return code;
}

/** core.img made to sit at `coreLba`, in a partition of `sectors` sectors. */
export function placeCoreImg(coreImg: Uint8Array, coreLba: number, sectors: number): Buffer {
  const core = Buffer.from(coreImg);
  const needed = Math.ceil(core.length / SECTOR);
  if (needed > sectors)
    throw new Error(`GRUB core.img needs ${needed} sectors, more than the BIOS boot partition's ${sectors}`);
  // diskboot.img's blocklist (last 12 bytes of the first sector): start LBA, sector count, segment.
  const at = SECTOR - 12;
  if (core.readBigUInt64LE(at) !== 2n) throw new Error('GRUB core.img has an unexpected first blocklist');
  core.writeBigUInt64LE(BigInt(coreLba + 1), at);
  return core;
}

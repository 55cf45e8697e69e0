/**
 * @module MBR partition tables: read (importing disks made by other tools) and written (small
 * test disks). Ingot's own boot disks are GPT (gpt-write.ts).
 */
import { randomBytes } from 'node:crypto';

export const SECTOR = 512;
/** The root partition starts at 1 MiB (LBA 2048), the usual alignment. */
export const FIRST_PARTITION_LBA = 2048;

export interface MbrPartition {
  startLba: number;
  sectors: number;
  /** 0x83 Linux. */
  type: number;
  bootable: boolean;
}

/** The 512-byte MBR: GRUB's boot code (first 440 bytes of boot.img), a disk signature, the partitions. */
export function buildMbr(bootImg: Uint8Array, partitions: readonly MbrPartition[]): Buffer {
  if (bootImg.length !== SECTOR) throw new Error(`GRUB boot.img is ${bootImg.length} bytes, expected ${SECTOR}`);
  if (partitions.length > 4) throw new Error('an MBR holds at most 4 primary partitions');
  const mbr = Buffer.alloc(SECTOR);
  Buffer.from(bootImg).copy(mbr, 0, 0, 440);
  randomBytes(4).copy(mbr, 440);
  partitions.forEach((p, i) => {
    if (p.startLba + p.sectors > 0xffffffff) throw new Error('an MBR partition must end below 2 TiB');
    const at = 446 + i * 16;
    mbr[at] = p.bootable ? 0x80 : 0;
    mbr.set([0xfe, 0xff, 0xff], at + 1); // CHS fields unused: LBA addressing
    mbr[at + 4] = p.type;
    mbr.set([0xfe, 0xff, 0xff], at + 5);
    mbr.writeUInt32LE(p.startLba, at + 8);
    mbr.writeUInt32LE(p.sectors, at + 12);
  });
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

/** Reads the partitions of an MBR (for importing disks). */
export function readMbrPartitions(sector0: Uint8Array): MbrPartition[] {
  const mbr = Buffer.from(sector0);
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return [];
  const out: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const at = 446 + i * 16;
    const type = mbr[at + 4]!;
    const sectors = mbr.readUInt32LE(at + 12);
    if (type !== 0 && sectors > 0)
      out.push({ startLba: mbr.readUInt32LE(at + 8), sectors, type, bootable: mbr[at] === 0x80 });
  }
  return out;
}

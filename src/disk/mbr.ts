/**
 * @module The first MiB of a BIOS-bootable disk: an MBR partition table whose boot code is GRUB's
 * boot.img, and GRUB's core.img right after it (LBA 1, the "MBR gap"), as grub-install would
 * embed them. grub-mkimage's defaults (kernel sector 1, first blocklist at LBA 2) fit this layout.
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

/** Checks that core.img fits the gap before the first partition and was made for this layout. */
export function checkCoreImg(coreImg: Uint8Array): void {
  const sectors = Math.ceil(coreImg.length / SECTOR);
  if (sectors + 1 > FIRST_PARTITION_LBA)
    throw new Error(
      `GRUB core.img needs ${sectors} sectors, more than the ${FIRST_PARTITION_LBA - 1} before the root partition`,
    );
  const list = Buffer.from(coreImg.buffer, coreImg.byteOffset + SECTOR - 12, 12);
  if (list.readBigUInt64LE(0) !== 2n)
    throw new Error('GRUB core.img does not expect to sit at LBA 1 (first blocklist start is not 2)');
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

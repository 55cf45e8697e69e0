/** @module Reads the Linux partitions of a GPT disk (for importing disks made by other tools). */
import type { MbrPartition } from './mbr.ts';

/** Linux file system data, as GPT stores it (mixed-endian GUID 0FC63DAF-8483-4772-8E79-3D69D8477DE4). */
const LINUX_FS = Buffer.from('af3dc60f838472478e793d69d8477de4', 'hex');
/** Linux root (x86-64), 4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709. */
const LINUX_ROOT_X64 = Buffer.from('e3bc684fcde8b14d96e7fbcaf984b709', 'hex');

/** `head` holds LBA 0..33 (protective MBR, header, the first 128 entries). */
export function readGptPartitions(head: Buffer): MbrPartition[] {
  const header = head.subarray(512, 1024);
  if (header.toString('latin1', 0, 8) !== 'EFI PART') return [];
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  const out: MbrPartition[] = [];
  for (let i = 0; i < count; i++) {
    const at = entriesLba * 512 + i * size;
    if (at + size > head.length) break;
    const type = head.subarray(at, at + 16);
    if (!type.equals(LINUX_FS) && !type.equals(LINUX_ROOT_X64)) continue;
    const first = Number(head.readBigUInt64LE(at + 32));
    const last = Number(head.readBigUInt64LE(at + 40));
    out.push({ startLba: first, sectors: last - first + 1, type: 0x83, bootable: false });
  }
  return out;
}

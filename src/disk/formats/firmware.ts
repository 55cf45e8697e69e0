/**
 * @module Which firmware a raw boot disk needs: `efi` when its GPT has an EFI system partition
 * (a disk with one boots by UEFI, and by BIOS too if it also has GRUB's BIOS boot partition),
 * otherwise `bios`. The OVF descriptor and the VHDX note follow it; `ingot run` boots a disk that
 * only UEFI can boot (an ESP and no boot code in the MBR) under OVMF.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Confinement, runCommand } from '../../process/index.ts';

/** C12A7328-F81F-11D2-BA4B-00A0C93EC93B as GPT stores it (mixed-endian). */
const ESP = Buffer.from('28732ac11ff8d211ba4b00a0c93ec93b', 'hex');

/** The partition type GUIDs of a GPT disk whose first 34 sectors are `head` (none for MBR). */
function gptTypes(head: Buffer): Buffer[] {
  const header = head.subarray(512, 1024);
  if (header.toString('latin1', 0, 8) !== 'EFI PART') return [];
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  const types: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = entriesLba * 512 + i * size;
    if (at + 16 > head.length) break;
    types.push(head.subarray(at, at + 16));
  }
  return types;
}

export const hasEfiPartition = (head: Buffer): boolean => gptTypes(head).some((t) => t.equals(ESP));

/**
 * An ESP and no boot code in the MBR (its first 440 bytes all zero): a BIOS has nothing to start
 * (Ingot's `ingot:boot-mode: uefi` keeps the GPT's BIOS boot partition but installs no boot code).
 */
export const onlyUefiBoots = (head: Buffer): boolean =>
  hasEfiPartition(head) && head.subarray(0, 440).every((b) => b === 0);

/**
 * The first 34 sectors (MBR, GPT header and entries) of a raw disk, or of one in another qemu
 * format (qcow2, vmdk, vhdx, vpc: read through qemu-img dd into `scratchDir`).
 */
export async function readDiskHead(
  disk: string | { path: string; format?: string | undefined },
  scratchDir?: string,
  run: Confinement = {},
): Promise<Buffer> {
  if (typeof disk !== 'string' && disk.format && disk.format !== 'raw') {
    const dir = await mkdtemp(join(scratchDir ?? '.', 'firmware-'));
    try {
      const head = join(dir, 'head.raw');
      await runCommand(
        ['qemu-img', 'dd', '-f', disk.format, '-O', 'raw', 'bs=512', 'count=34', `if=${disk.path}`, `of=${head}`],
        run,
      );
      return await readDiskHead(head);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const fh = await open(typeof disk === 'string' ? disk : disk.path, 'r');
  try {
    const head = Buffer.alloc(34 * 512);
    await fh.read(head, 0, head.length, 0);
    return head;
  } finally {
    await fh.close();
  }
}

/** The firmware of a raw disk, or of one in another qemu format (see readDiskHead). */
export async function diskFirmware(
  disk: string | { path: string; format?: string | undefined },
  scratchDir?: string,
  run: Confinement = {},
): Promise<'efi' | 'bios'> {
  return hasEfiPartition(await readDiskHead(disk, scratchDir, run)) ? 'efi' : 'bios';
}

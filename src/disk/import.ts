/**
 * @module `importDisk`: an existing raw/qcow2/vmdk/vhdx/vhd disk as a parent image. The disk is
 * converted to raw (`qemu-img convert`), its root partition found (MBR or GPT; the largest Linux
 * one), and its files copied out with `debugfs rdump` at the partition's offset: no mount, no
 * loop device. rdump's chown drops setuid/setgid bits, so those are read back and restored.
 * The result is a rootfs tarball, usable as a recipe's `parentImage` (an absolute path).
 */
import { lstat, mkdir, mkdtemp, open, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { readGptPartitions } from './gpt.ts';
import { readMbrPartitions, SECTOR } from './mbr.ts';
import { runCommand } from '../process/index.ts';

export interface ImportedDisk {
  /** Absolute path of the rootfs tarball: pass it as `parentImage`. */
  parentImage: string;
  sourceFormat: string;
  partitionOffset: number;
}

const READABLE = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vpc'];

export async function importDisk(file: string, outDir: string, signal?: AbortSignal): Promise<ImportedDisk> {
  const opts = signal ? { signal } : {};
  const info = await runCommand(['qemu-img', 'info', '--output=json', file]).catch((err: unknown) => {
    throw new IngotError('invalid-input', `${file}: not a disk image qemu-img can read (${(err as Error).message})`);
  });
  const format = (JSON.parse(info.stdout) as { format: string }).format;
  if (!READABLE.includes(format))
    throw new IngotError(
      'invalid-input',
      `${file}: disk format ${format} is not importable (use raw, qcow2, vmdk, vhdx or vhd)`,
    );
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(outDir, '.import-'));
  try {
    const raw = format === 'raw' ? file : join(work, 'disk.raw');
    if (raw !== file) await runCommand(['qemu-img', 'convert', '-f', format, '-O', 'raw', file, raw], opts);
    const tree = join(work, 'rootfs');
    const offset = await extractRootFs(raw, tree, work, file, signal);
    const parentImage = join(outDir, 'rootfs.tar.zst');
    await runCommand(
      ['sh', '-c', 'tar --numeric-owner -C "$1" -cf - . | zstd -q -T0 -3 > "$2"', 'sh', tree, parentImage],
      opts,
    );
    return { parentImage, sourceFormat: format, partitionOffset: offset };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Copies the root file system of a raw disk (the largest Linux partition, or a bare file system)
 * into `tree` with `debugfs rdump`: no mount, no loop device. Owners, modes (setuid/setgid/sticky
 * restored) and mtimes (whole seconds) are kept; extended attributes are not. Returns the
 * partition's byte offset. `label` names the disk in errors.
 */
export async function extractRootFs(
  raw: string,
  tree: string,
  work: string,
  label = raw,
  signal?: AbortSignal,
): Promise<number> {
  const offset = await rootPartitionOffset(raw);
  await mkdir(tree, { recursive: true });
  const image = `${raw}?offset=${offset}`;
  await runCommand(['dumpe2fs', '-h', image]).catch(() => {
    throw new IngotError(
      'invalid-input',
      `${label}: the root partition (offset ${offset}) is not an ext2/3/4 file system`,
    );
  });
  await runCommand(['debugfs', '-R', `rdump / ${tree}`, image], signal ? { signal } : {});
  await restoreSpecialBits(image, tree, work);
  return offset;
}

/** Byte offset of the largest Linux partition; 0 for a bare file system. */
async function rootPartitionOffset(raw: string): Promise<number> {
  const fh = await open(raw, 'r');
  try {
    const head = Buffer.alloc(SECTOR * 34);
    await fh.read(head, 0, head.length, 0);
    const mbr = readMbrPartitions(head.subarray(0, SECTOR));
    const parts = mbr.some((p) => p.type === 0xee) ? readGptPartitions(head) : mbr.filter((p) => p.type === 0x83);
    if (!parts.length) return 0;
    return parts.reduce((a, b) => (b.sectors > a.sectors ? b : a)).startLba * SECTOR;
  } finally {
    await fh.close();
  }
}

/** Reads every directory's listing with one debugfs run and puts setuid/setgid/sticky bits back. */
async function restoreSpecialBits(image: string, tree: string, work: string): Promise<void> {
  const dirs: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    dirs.push(rel || '/');
    for (const e of await readdir(join(tree, rel), { withFileTypes: true }))
      if (e.isDirectory()) await walk(`${rel}/${e.name}`);
  };
  await walk('');
  const cmds = join(work, 'ls.cmds');
  await writeFile(cmds, dirs.map((d) => `ls -l "${d}"\n`).join(''));
  const out = (await runCommand(['debugfs', '-f', cmds, image])).stdout;
  let dir = '/';
  for (const line of out.split('\n')) {
    const cmd = /^debugfs:\s+ls -l "(.*)"$/.exec(line);
    if (cmd) {
      dir = cmd[1]!;
      continue;
    }
    const m = /^\s*\d+\s+([0-7]+)\s+\(\d+\)\s+\d+\s+\d+\s+\d+\s+\S+\s+\S+\s(.+)$/.exec(line);
    if (!m || m[2] === '.' || m[2] === '..') continue;
    const mode = parseInt(m[1]!, 8);
    if (!(mode & 0o7000)) continue;
    const path = join(tree, dir, m[2]!);
    if ((await lstat(path).catch(() => undefined))?.isSymbolicLink() === false) await chmod(path, mode & 0o7777);
  }
}

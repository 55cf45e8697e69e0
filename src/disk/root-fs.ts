/**
 * @module Writes the boot disk as a raw file without loop devices: the image's layers merged by
 * withMergedLayers (a read-only overlayfs mount in a private mount namespace), `mkfs.ext4 -d` populating the root
 * partition straight into the disk file at its offset (`-E offset=`), the MBR and GRUB written
 * by hand, and a top layer with the disk-specific files (fstab by UUID, grub.cfg) and the
 * machine-identity reset (empty machine-id, SSH host keys whited out).
 */
import { randomUUID } from 'node:crypto';
import { lstat, open, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GRUB_BOOT_IMG, GRUB_CORE_IMG } from './grub.ts';
import { FIRST_PARTITION_LBA, SECTOR, buildMbr, checkCoreImg } from './mbr.ts';
import { runCommand } from '../process/index.ts';
import { withMergedLayers } from '../rootfs/merge-layers.ts';

export interface RootDiskSpec {
  /** The image's layers, topmost first (the boot layer among them). */
  lowerDirs: readonly string[];
  outFile: string;
  sizeGiB: number;
  /** Scratch space (removed before returning). */
  workDir: string;
}

export interface RootDisk {
  path: string;
  rootUuid: string;
}

/** Kernel command line: serial console last, so /dev/console (and the boot log) is ttyS0. */
export const KERNEL_ARGS = 'ro console=tty0 console=ttyS0,115200n8 net.ifnames=0';

export async function writeRootDisk(spec: RootDiskSpec): Promise<RootDisk> {
  const rootUuid = randomUUID();
  const [bootImg, coreImg] = await Promise.all([
    readLayered(spec.lowerDirs, GRUB_BOOT_IMG),
    readLayered(spec.lowerDirs, GRUB_CORE_IMG),
  ]);
  checkCoreImg(coreImg);
  const diskBytes = spec.sizeGiB * 2 ** 30;
  const partSectors = diskBytes / SECTOR - FIRST_PARTITION_LBA;
  const top = await mkdtemp(join(spec.workDir, 'disk-top-'));
  try {
    await writeDiskFiles(top, rootUuid);
    await resetIdentity(top, spec.lowerDirs);
    const fh = await open(spec.outFile, 'w');
    try {
      await fh.truncate(diskBytes);
      await fh.write(
        buildMbr(bootImg, [{ startLba: FIRST_PARTITION_LBA, sectors: partSectors, type: 0x83, bootable: true }]),
        0,
        SECTOR,
        0,
      );
      await fh.write(coreImg, 0, coreImg.length, SECTOR);
    } finally {
      await fh.close();
    }
    const features = await ext4Features();
    const blocks = String(Math.floor((partSectors * SECTOR) / 4096));
    const extended = `offset=${FIRST_PARTITION_LBA * SECTOR},lazy_itable_init=1,lazy_journal_init=1,nodiscard`;
    await withMergedLayers([top, ...spec.lowerDirs], { scratchDir: spec.workDir }, (root) => [
      'mkfs.ext4',
      '-q',
      '-F',
      '-b',
      '4096',
      '-L',
      'root',
      '-U',
      rootUuid,
      '-O',
      features,
      '-d',
      root,
      '-E',
      extended,
      spec.outFile,
      blocks,
    ]);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
  return { path: spec.outFile, rootUuid };
}

/** The disk-specific files: they sit above every layer, so they win over the image's own. */
async function writeDiskFiles(top: string, uuid: string): Promise<void> {
  await mkdir(join(top, 'etc'));
  await mkdir(join(top, 'boot/grub'), { recursive: true });
  await writeFile(
    join(top, 'etc/fstab'),
    `# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=${uuid} / ext4 defaults,errors=remount-ro 0 1\n`,
  );
  await writeFile(
    join(top, 'boot/grub/grub.cfg'),
    `# Written by Ingot. /vmlinuz and /initrd.img follow kernel upgrades.
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set default=0
# No boot menu, as in Debian's cloud images.
set timeout=0
menuentry 'Debian GNU/Linux' {
  search --no-floppy --fs-uuid --set=root ${uuid}
  linux /vmlinuz root=UUID=${uuid} ${KERNEL_ARGS}
  initrd /initrd.img
}
`,
  );
}

/** Files that identify one machine: every machine made from the disk makes its own on first boot. */
const IDENTITY = ['var/lib/dbus/machine-id', 'var/lib/systemd/random-seed', 'var/lib/ingot-firstboot/instance-id'];

/**
 * An empty /etc/machine-id, and overlayfs whiteouts (0/0 character devices) in the top layer for
 * SSH host keys and other per-machine files that components above the bootable layer made.
 */
async function resetIdentity(top: string, lowerDirs: readonly string[]): Promise<void> {
  await writeFile(join(top, 'etc/machine-id'), '');
  const hidden = new Set<string>(IDENTITY);
  for (const dir of lowerDirs) {
    for (const name of await readdir(join(dir, 'etc/ssh')).catch(() => [] as string[]))
      if (name.startsWith('ssh_host_')) hidden.add(`etc/ssh/${name}`);
  }
  for (const rel of hidden) {
    if (
      !(
        await Promise.all(
          lowerDirs.map((d) =>
            lstat(join(d, rel)).then(
              () => true,
              () => false,
            ),
          ),
        )
      ).some(Boolean)
    )
      continue;
    await mkdir(join(top, dirname(rel)), { recursive: true });
    await runCommand(['mknod', join(top, rel), 'c', '0', '0']);
  }
}

/** GRUB 2.06 (Debian 12) cannot read ext4 with metadata_csum_seed or orphan_file: leave them out. */
async function ext4Features(): Promise<string> {
  const v = await runCommand(['mkfs.ext4', '-V']).then(
    (r) => r.stderr + r.stdout,
    () => '',
  );
  const m = /mke2fs (\d+)\.(\d+)/.exec(v);
  const atLeast147 = !!m && (Number(m[1]) > 1 || Number(m[2]) >= 47);
  return atLeast147 ? '^metadata_csum_seed,^orphan_file' : '^metadata_csum_seed';
}

/** A file of the merged image (topmost layer that has it). */
async function readLayered(lowerDirs: readonly string[], rel: string): Promise<Buffer> {
  for (const dir of lowerDirs) {
    const data = await readFile(join(dir, rel)).catch(() => undefined);
    if (data) return data;
  }
  throw new Error(`the image has no /${rel}: the bootable-disk layer did not run`);
}

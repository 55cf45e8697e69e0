/**
 * @module Writes the boot disk as a raw file without loop devices or mounts: a GPT (sfdisk), GRUB
 * for BIOS (boot.img + core.img in the BIOS boot partition), the EFI system partition (mkfs.vfat +
 * mtools) with Debian's signed shim and GRUB, and the root partition populated by `mkfs.ext4 -d`
 * from the image's layers merged by withMergedLayers, straight into the disk file at its offset.
 * A top layer adds the disk-specific files (fstab by UUID with the ESP at /boot/efi, grub.cfg) and the
 * machine-identity reset. With `reuse`, the root file system starts from a kept disk of the lower
 * layers and only the top layers are applied (incremental-disk.ts); layers it cannot apply there
 * (a socket) send the build back to a fresh mkfs.ext4.
 * Every command runs confined (`run`: the build's reader cgroup and abort signal); the boot files are
 * read inside the image (`readLayeredFile`: links resolve in it, regular files only, size capped).
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { biosBootCode, placeCoreImg } from './bios-boot.ts';
import { makeEspImage, placeEsp } from './esp.ts';
import { ESP_MOUNT_POINT, diskFstab } from './fstab.ts';
import { SECTOR, gptLayout, writeGpt, writeGptOver } from './gpt-write.ts';
import { grubCfg } from './grub-cfg.ts';
import { type BootMode, EFI_FILES, GRUB_BOOT_IMG, GRUB_CORE_IMG } from './grub.ts';
import { type Confinement, runCommand } from '../process/index.ts';
import { listLayeredDir, readLayeredFile, resolveLayered } from '../rootfs/layered-path.ts';
import { ImageFileError } from '../rootfs/read-image-file.ts';
import { withMergedLayers } from '../rootfs/merge-layers.ts';
import { NotIncremental } from './apply-layers.ts';
import { keptDiskKey, type RootDiskReuse, writeIncrementalRoot } from './incremental-disk.ts';

export interface RootDiskSpec {
  /** The image's layers, topmost first (the boot layer among them). */
  lowerDirs: readonly string[];
  outFile: string;
  sizeGiB: number;
  /** Scratch space (removed before returning). */
  workDir: string;
  /** Which firmware the disk boots under (default hybrid: BIOS and UEFI). */
  bootMode?: BootMode | undefined;
  /** The build's reader cgroup and abort signal: every command over the image runs in it and stops on abort. */
  run?: Confinement | undefined;
  /**
   * Names the disk's UUIDs derive from (default: random ones): `base` the root file system's (the
   * same for every disk on one base, so a kept disk fits every image above it), `image` the
   * partitions' (one per image). A fresh and an incremental build of one image come out alike.
   */
  seeds?: { base: string; image: string } | undefined;
  /** Incremental builds from kept disks (incremental-disk.ts); default: the file system is written afresh. */
  reuse?: RootDiskReuse | undefined;
  /**
   * A path where the disk may come out as a qcow2 overlay of a kept disk (RootDisk.format) when
   * the kept disk holds every layer but the top one: then no raw copy of it is written. Default: a raw file.
   */
  overlay?: string | undefined;
  onLog?: ((line: string) => void) | undefined;
}

export interface RootDisk {
  /** The disk: a raw file, or (`format` qcow2) the overlay of a kept disk (RootDiskSpec.overlay). */
  path: string;
  format?: 'qcow2' | undefined;
  rootUuid: string;
  /**
   * How the root file system was made: afresh, or from a kept disk with `applied` top layers
   * applied (`overlay`: over the kept disk itself, in a qcow2 overlay, rather than over a copy).
   */
  made: { from: 'fresh' } | { from: 'kept'; applied: number; overlay?: boolean } | { from: 'fresh-kept' };
}

export async function writeRootDisk(spec: RootDiskSpec): Promise<RootDisk> {
  if (!spec.reuse) return writeDisk(spec, undefined);
  try {
    return await writeDisk(spec, spec.reuse);
  } catch (err) {
    if (!(err instanceof NotIncremental)) throw err;
    spec.onLog?.(`root file system written afresh: ${err.message}`);
    return writeDisk(spec, undefined);
  }
}

async function writeDisk(spec: RootDiskSpec, reuse: RootDiskReuse | undefined): Promise<RootDisk> {
  const run = spec.run ?? {};
  const mode = spec.bootMode ?? 'hybrid';
  const rootUuid = spec.seeds ? seededUuid(spec.seeds.base, 'root') : randomUUID();
  const uuidOf = (what: string) => (spec.seeds ? seededUuid(spec.seeds.image, what) : randomUUID());
  const espPartUuid = mode === 'bios' ? undefined : uuidOf('esp');
  const diskBytes = spec.sizeGiB * 2 ** 30;
  const layout = gptLayout(diskBytes);
  const root = { offset: layout.root.startLba * SECTOR, size: layout.root.sectors * SECTOR };
  const top = await mkdtemp(join(spec.workDir, 'disk-top-'));
  const espDir = `${top}-esp`;
  try {
    await writeDiskFiles(top, rootUuid, espPartUuid);
    await resetIdentity(top, spec.lowerDirs, run);
    const features = await ext4Features();
    // The ESP image is made while the disk file is copied or created (placed by prepareDisk).
    const espImage =
      mode === 'bios'
        ? undefined
        : Promise.all([
            readLayered(spec.lowerDirs, EFI_FILES.shim, run),
            readLayered(spec.lowerDirs, EFI_FILES.grub, run),
            readLayered(spec.lowerDirs, EFI_FILES.mokManager, run),
            mkdir(espDir),
          ]).then(([shim, grub, mokManager]) =>
            makeEspImage(layout.esp, { shim, grub, mokManager }, rootUuid, espDir, run),
          );
    espImage?.catch(() => {}); // awaited by prepareDisk
    const prepareDisk = async (overwrite: boolean, disk = spec.outFile, current = disk) => {
      if (!overwrite) {
        const fh = await open(disk, 'w');
        await fh.truncate(diskBytes).finally(() => fh.close());
      }
      const partUuids = { root: uuidOf('root-partition'), esp: espPartUuid ?? uuidOf('esp') };
      if (overwrite) await writeGptOver(disk, diskBytes, layout, partUuids, spec.workDir, run);
      else await writeGpt(disk, layout, partUuids, run);
      if (mode !== 'uefi') await writeBiosBoot(spec, disk, layout.biosBoot, overwrite);
      if (espImage) await placeEsp(await espImage, disk, layout.esp, overwrite, current);
    };
    // mke2fs -d copies links as links and FIFOs/devices as inodes: it opens regular files only.
    const mkfs = (layers: readonly string[]) =>
      withMergedLayers(layers, { scratchDir: spec.workDir, ...run }, (merged) =>
        mkfsArgv(spec.outFile, merged, { rootUuid, features, offset: root.offset, blocks: root.size / 4096 }),
      );
    if (!reuse) {
      await prepareDisk(false);
      await mkfs([top, ...spec.lowerDirs]);
      return { path: spec.outFile, rootUuid, made: { from: 'fresh' } };
    }
    const settings = { sizeGiB: spec.sizeGiB, mode, rootUuid, features };
    const made = await writeIncrementalRoot({
      outFile: spec.outFile,
      lowerDirs: spec.lowerDirs,
      top,
      root,
      reuse,
      keyOf: (j) => keptDiskKey(reuse.ids.slice(j), settings, reuse.scope),
      overlay: spec.overlay,
      prepareDisk,
      mkfs,
      scratchDir: spec.workDir,
      run,
      onLog: spec.onLog,
    });
    if (made.from === 'kept-overlay')
      return { path: made.overlay, format: 'qcow2', rootUuid, made: { from: 'kept', applied: 1, overlay: true } };
    return { path: spec.outFile, rootUuid, made };
  } finally {
    await rm(top, { recursive: true, force: true });
    await rm(espDir, { recursive: true, force: true });
  }
}

/** mkfs.ext4 writing the tree `from` into `disk` at `offset` (`blocks` of 4 KiB). */
function mkfsArgv(
  disk: string,
  from: string,
  o: { rootUuid: string; features: string; offset: number; blocks: number },
): string[] {
  const extended = `offset=${o.offset},lazy_itable_init=1,lazy_journal_init=1,nodiscard`;
  const fs = ['-b', '4096', '-L', 'root', '-U', o.rootUuid, '-O', o.features];
  return ['mkfs.ext4', '-q', '-F', ...fs, '-d', from, '-E', extended, disk, String(o.blocks)];
}

/** A name-based UUID (version 5: SHA-1 of `name` and `what`), the same for the same names. */
export function seededUuid(name: string, what: string): string {
  const h = createHash('sha1').update(`ingot-disk-uuid\0${name}\0${what}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** GRUB's boot code in the protective MBR, its core image in the BIOS boot partition (`overwrite`: all of it). */
async function writeBiosBoot(
  spec: RootDiskSpec,
  disk: string,
  at: { startLba: number; sectors: number },
  overwrite: boolean,
): Promise<void> {
  const [bootImg, coreImg] = await Promise.all([
    readLayered(spec.lowerDirs, GRUB_BOOT_IMG, spec.run ?? {}),
    readLayered(spec.lowerDirs, GRUB_CORE_IMG, spec.run ?? {}),
  ]);
  const code = biosBootCode(bootImg, at.startLba);
  const placed = placeCoreImg(coreImg, at.startLba, at.sectors);
  // Over a copied disk the whole partition is written (zeros after the core image).
  const core = overwrite ? Buffer.concat([placed, Buffer.alloc(at.sectors * SECTOR - placed.length)]) : placed;
  const fh = await open(disk, 'r+');
  try {
    await fh.write(code, 0, code.length, 0);
    await fh.write(core, 0, core.length, at.startLba * SECTOR);
  } finally {
    await fh.close();
  }
}

/** The disk-specific files: they sit above every layer, so they win over the image's own. */
async function writeDiskFiles(top: string, uuid: string, espPartUuid: string | undefined): Promise<void> {
  await mkdir(join(top, 'etc'));
  await mkdir(join(top, 'boot/grub'), { recursive: true });
  if (espPartUuid) await mkdir(join(top, ESP_MOUNT_POINT));
  await writeFile(join(top, 'etc/fstab'), diskFstab(uuid, espPartUuid));
  await writeFile(join(top, 'boot/grub/grub.cfg'), grubCfg(uuid));
}

/** Files that identify one machine: every machine made from the disk makes its own on first boot. */
export const IDENTITY = [
  'var/lib/dbus/machine-id',
  'var/lib/systemd/random-seed',
  'var/lib/ingot-firstboot/instance-id',
];

/**
 * An empty /etc/machine-id, and overlayfs whiteouts (0/0 character devices) in the top layer for
 * SSH host keys and other per-machine files that components above the bootable layer made. The
 * image's paths are looked up inside it (a link to the host's /etc/ssh lists nothing of the host).
 */
async function resetIdentity(top: string, lowerDirs: readonly string[], run: Confinement): Promise<void> {
  await writeFile(join(top, 'etc/machine-id'), '');
  const hidden = new Set<string>(IDENTITY);
  for (const name of await listLayeredDir(lowerDirs, '/etc/ssh'))
    if (name.startsWith('ssh_host_')) hidden.add(`etc/ssh/${name}`);
  for (const rel of hidden) {
    if (!(await resolveLayered(lowerDirs, `/${rel}`, false))) continue;
    await mkdir(join(top, dirname(rel)), { recursive: true });
    await runCommand(['mknod', join(top, rel), 'c', '0', '0'], run);
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

/** The boot files are a few MiB; anything much larger is not one. */
const MAX_BOOT_FILE = 64 * 2 ** 20;

/** A file of the merged image, read inside it: links resolve in the image, only regular files, size capped. */
async function readLayered(lowerDirs: readonly string[], rel: string, run: Confinement): Promise<Buffer> {
  const data = await readLayeredFile(lowerDirs, `/${rel}`, {
    maxBytes: MAX_BOOT_FILE,
    ...(run.signal ? { signal: run.signal } : {}),
  }).catch((err: unknown) => {
    if (err instanceof ImageFileError)
      throw new Error(`the image's /${rel} cannot go on the disk: ${err.detail} (a boot file must be a regular file)`);
    throw err;
  });
  if (data) return data;
  throw new Error(`the image has no /${rel}: the bootable-disk layer did not run`);
}

/**
 * @module The disk outputs of a build (writeDiskOutputs) on a small synthetic image with the real
 * mkfs.ext4, mtools and qemu-img: each artifact's sha256 in the manifest entry is the sha256 of
 * the file's bytes, the raw output keeps its holes, and a file already at an output's path (a hard
 * link of the output cache's blob, as an earlier build in the same directory leaves it) is
 * replaced, never written through. A rebuild over a kept disk converts its outputs from the qcow2
 * overlay over that disk: standalone files, checked, holding the top layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKeptDisk, keepDisk, type KeptDiskStore } from '../../src/cache/kept-disks.ts';
import type { DiskFormat } from '../../src/disk/formats/index.ts';
import { EFI_FILES } from '../../src/disk/grub.ts';
import { writeDiskOutputs } from '../../src/engine/disk/outputs.ts';

const tools = ['mkfs.ext4', 'mkfs.vfat', 'mcopy', 'sfdisk', 'qemu-img'];
const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const skip = missing.length ? `missing ${missing.join(', ')} (scripts/install-system-deps.sh)` : false;

const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;

test('disk outputs: manifest digests match the files, raw keeps its holes, earlier files are replaced', {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-disk-outputs-'));
  try {
    const layer = join(dir, 'layer');
    for (const f of Object.values(EFI_FILES)) {
      mkdirSync(join(layer, f, '..'), { recursive: true });
      writeFileSync(join(layer, f), `efi ${f}\n`);
    }
    mkdirSync(join(layer, 'etc'), { recursive: true });
    writeFileSync(join(layer, 'etc/os-release'), 'ID=debian\n');
    const out = join(dir, 'out');
    const work = join(dir, 'work');
    mkdirSync(out);
    mkdirSync(work);
    // What an earlier build in this directory left: hard links of the output cache's blobs.
    const blobs = join(dir, 'blobs');
    mkdirSync(blobs);
    for (const name of ['disk.raw', 'disk.qcow2']) {
      writeFileSync(join(blobs, name), `cached ${name}`);
      linkSync(join(blobs, name), join(out, name));
    }
    const written = await writeDiskOutputs({
      lowerDirs: [layer],
      outputDir: out,
      workDir: work,
      formats: ['raw', 'qcow2'],
      layout: { rootGiB: 1, rootFromRecipe: true, extraVolumes: [] },
      bootMode: 'uefi',
      machine: { name: 'test', cpus: 1, memoryMiB: 512 },
    });
    await written.durable; // every output on the device
    assert.deepEqual(written.artifacts.map((a) => a.format).sort(), ['disk-qcow2', 'disk-raw']);
    for (const a of written.artifacts) {
      const path = join(out, a.path);
      assert.equal(a.sha256, sha256sum(path), `${a.path}: the manifest's sha256 is the file's`);
      assert.equal(a.sizeBytes, statSync(path).size);
      assert.equal(
        readFileSync(join(blobs, a.path), 'utf8'),
        `cached ${a.path}`,
        `${a.path}: the old link kept its bytes`,
      );
      assert.equal(statSync(path).nlink, 1, `${a.path}: a file of its own`);
    }
    const raw = statSync(join(out, 'disk.raw'));
    assert.equal(raw.size, 2 ** 30);
    assert.ok(raw.blocks * 512 < 128 * 2 ** 20, `the raw disk keeps its holes (${raw.blocks * 512} bytes allocated)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disk outputs from a kept disk: converted from the overlay over it, standalone, the same disk as the raw path writes', {
  skip: skip || (process.getuid?.() !== 0 ? 'needs root (loop mounts)' : false),
  timeout: 300_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-disk-outputs-'));
  try {
    const [base, top] = [join(dir, 'base'), join(dir, 'top')];
    for (const f of Object.values(EFI_FILES)) {
      mkdirSync(join(base, f, '..'), { recursive: true });
      writeFileSync(join(base, f), `efi ${f}\n`);
    }
    mkdirSync(join(base, 'etc'), { recursive: true });
    writeFileSync(join(base, 'etc/os-release'), 'ID=debian\n');
    mkdirSync(join(top, 'etc/bench'), { recursive: true });
    writeFileSync(join(top, 'etc/bench/app.conf'), 'listen 8080;\n');
    const store: KeptDiskStore = { dir: join(dir, 'kept'), keep: 2 };
    const ids = ['top', 'base'];
    const build = async (name: string, formats: DiskFormat[]) => {
      const out = join(dir, `out-${name}`);
      const work = join(dir, `work-${name}`);
      mkdirSync(out);
      mkdirSync(work);
      const log: string[] = [];
      const written = await writeDiskOutputs({
        lowerDirs: [top, base],
        outputDir: out,
        workDir: work,
        formats,
        layout: { rootGiB: 1, rootFromRecipe: true, extraVolumes: [] },
        bootMode: 'uefi',
        machine: { name: 'test', cpus: 1, memoryMiB: 512 },
        seeds: { base: 'b', image: 'i' },
        reuse: {
          kept: { find: (k) => findKeptDisk(store, k), keep: (k, f) => keepDisk(store, k, f) },
          ids,
          levels: 1,
          scope: undefined,
        },
        onLog: (l) => log.push(l),
      });
      await written.durable;
      for (const a of written.artifacts) assert.equal(a.sha256, sha256sum(join(out, a.path)), `${name} ${a.path}`);
      return { out, log: log.join('\n') };
    };
    await build('first', ['qcow2']); // keeps the disk of the base
    const raw = await build('raw', ['raw']);
    assert.match(raw.log, /1 layer\(s\) applied\)/, 'a raw output is written over a copy of the kept disk');
    const inc = await build('inc', ['qcow2', 'vhd', 'ova']);
    assert.match(inc.log, /applied in a qcow2 overlay over it/);
    const qcow2 = join(inc.out, 'disk.qcow2');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', qcow2], { encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
    assert.equal(info['backing-filename'], undefined, 'the qcow2 output stands alone');
    assert.equal(info['virtual-size'], 2 ** 30);
    execFileSync('qemu-img', ['check', qcow2]);
    // The disk holds the top layer's file over the kept base (incremental-disk.test.ts compares whole trees).
    const asRaw = join(dir, 'inc.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, asRaw]);
    const fsAt = `${asRaw}?offset=${64 * 2 ** 20}`;
    execFileSync('e2fsck', ['-fn', fsAt]);
    const cat = (f: string) => execFileSync('debugfs', ['-R', `cat ${f}`, fsAt], { encoding: 'utf8', stdio: 'pipe' });
    assert.equal(cat('/etc/bench/app.conf'), 'listen 8080;\n');
    assert.equal(cat('/etc/os-release'), 'ID=debian\n');
    const head = Buffer.alloc(8);
    const fd = openSync(asRaw, 'r');
    readSync(fd, head, 0, 8, 512);
    closeSync(fd);
    assert.equal(head.toString('latin1'), 'EFI PART', 'the GPT is there');
    execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'vpc', qcow2, join(inc.out, 'disk.vhd')]);
    assert.match(readFileSync(join(inc.out, 'disk.ova')).toString('latin1'), /efi|EFI/, 'the OVA names the firmware');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

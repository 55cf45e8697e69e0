/**
 * @module The disk outputs of a build (writeDiskOutputs) on a small synthetic image with the real
 * mkfs.ext4, mtools and qemu-img: each artifact's sha256 in the manifest entry is the sha256 of
 * the file's bytes, the raw output keeps its holes, and a file already at an output's path (a hard
 * link of the output cache's blob, as an earlier build in the same directory leaves it) is
 * replaced, never written through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

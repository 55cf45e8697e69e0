/**
 * @module The disk format writers on small raw disks, with the real qemu-img: every format of the
 * table reads back with the right size and passes `qemu-img check`; the VHD is fixed with a
 * footer and 1 MiB aligned (an odd size is rounded up); the OVA holds the descriptor, the
 * manifest and streamOptimized VMDKs in OVF order, its manifest's SHA256s match, and its
 * descriptor parses as an OVF 1.0 envelope with the machine's CPUs, memory, disks, NIC and firmware.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import {
  DISK_FORMATS,
  diskFirmware,
  onlyUefiBoots,
  readDiskHead,
  FORMATS,
  type MachineSpec,
  type SourceDisk,
} from '../../src/disk/formats/index.ts';
import { OVF_NS, RASD_NS, STREAM_OPTIMIZED_URI, VSSD_NS } from '../../src/disk/formats/ovf.ts';
import { alignedSize } from '../../src/disk/formats/vhd.ts';

const skip =
  spawnSync('qemu-img', ['--version']).status === 0 ? false : 'qemu-img is missing (scripts/install-system-deps.sh)';
const MiB = 2 ** 20;

function rawDisk(dir: string, name: string, size: number, boot = true): SourceDisk {
  const raw = join(dir, `${name}.raw`);
  writeFileSync(raw, Buffer.alloc(0));
  execFileSync('truncate', ['-s', String(size), raw]);
  const fd = Buffer.from(`ingot ${name} data`);
  execFileSync('dd', [`of=${raw}`, 'bs=1', 'seek=4096', 'conv=notrunc', 'status=none'], { input: fd });
  return { path: raw, sizeBytes: size, name, boot };
}

const machine: MachineSpec = { name: 'web & <co>', cpus: 4, memoryMiB: 3072, firmware: 'efi' };

test('every per-disk format reads back as itself with the disk size and passes the checks', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-formats-'));
  try {
    const disk = rawDisk(dir, 'disk', 5 * MiB);
    for (const f of DISK_FORMATS.filter((x) => !FORMATS[x].allDisks)) {
      const out = join(dir, `out.${FORMATS[f].extension}`);
      const w = await FORMATS[f].write({ disks: [disk], out, workDir: dir, machine });
      assert.equal(w.path, out);
      const qemu = FORMATS[f].qemu!;
      const info = JSON.parse(
        execFileSync('qemu-img', ['info', '--output=json', '-f', qemu, out], { encoding: 'utf8' }),
      );
      assert.equal(info['virtual-size'], 5 * MiB, `${f} virtual size`);
      // The content survives the conversion.
      const back = join(dir, `back-${f}.raw`);
      execFileSync('qemu-img', ['convert', '-f', qemu, '-O', 'raw', out, back]);
      assert.ok(
        readFileSync(back)
          .subarray(4096, 4096 + 16)
          .toString()
          .startsWith('ingot disk data'),
        f,
      );
    }
    const vmdkDesc = execFileSync('qemu-img', ['info', '--output=json', join(dir, 'out.vmdk')], { encoding: 'utf8' });
    assert.match(vmdkDesc, /"create-type": "streamOptimized"/);
    assert.match(
      (await FORMATS.vhdx.write({ disks: [disk], out: join(dir, 'b.vhdx'), workDir: dir, machine })).checks,
      /Generation 2 VM \(UEFI\)/,
    );
    assert.match(
      (
        await FORMATS.vhdx.write({
          disks: [disk],
          out: join(dir, 'c.vhdx'),
          workDir: dir,
          machine: { ...machine, firmware: 'bios' },
        })
      ).checks,
      /WARNING: the disk has no EFI system partition/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('VHD for Azure: fixed, a footer after the data, the size rounded up to 1 MiB', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-vhd-'));
  try {
    const odd = rawDisk(dir, 'odd', 3 * MiB + 12345);
    const out = join(dir, 'odd.vhd');
    const w = await FORMATS.vhd.write({ disks: [odd], out, workDir: dir, machine });
    assert.equal(alignedSize(odd.sizeBytes), 4 * MiB);
    assert.equal(statSync(out).size, 4 * MiB + 512);
    assert.match(w.checks, /rounded up from 3158073/);
    const footer = readFileSync(out).subarray(4 * MiB);
    assert.equal(footer.toString('latin1', 0, 8), 'conectix');
    assert.equal(footer.readUInt32BE(60), 2, 'disk type fixed');
    assert.equal(Number(footer.readBigUInt64BE(48)), 4 * MiB);
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-f', 'vpc', out], { encoding: 'utf8' }),
    );
    assert.equal(info['virtual-size'], 4 * MiB);
    assert.deepEqual(readdirSync(dir).sort(), ['odd.raw', 'odd.vhd'], 'the alignment overlay is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OVA: OVF order, SHA256 manifest, streamOptimized VMDKs, an OVF 1.0 envelope describing the VM', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-ova-'));
  try {
    const disks = [rawDisk(dir, 'disk', 6 * MiB), rawDisk(dir, 'volume-xvdb', 2 * MiB, false)];
    const out = join(dir, 'disk.ova');
    const w = await FORMATS.ova.write({ disks, out, workDir: dir, machine });
    assert.match(w.checks, /4 vCPU, 3072 MiB, efi/);
    const members = execFileSync('tar', ['-tvf', out], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(
      members.map((l) => l.split(/\s+/).at(-1)),
      ['disk.ovf', 'disk.mf', 'disk-disk1.vmdk', 'disk-disk2.vmdk'],
      'descriptor first, then the manifest, then the disks',
    );
    assert.equal(readFileSync(out).toString('latin1', 257, 262), 'ustar');
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xf', out, '-C', x]);
    // The manifest lists every other member with its SHA256.
    const mf = readFileSync(join(x, 'disk.mf'), 'utf8').trim().split('\n');
    assert.equal(mf.length, 3);
    for (const line of mf) {
      const m = /^SHA256\((.+)\)= ([0-9a-f]{64})$/.exec(line);
      assert.ok(m, line);
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(x, m[1]!)))
          .digest('hex'),
        m[2],
      );
    }
    for (const [i, size] of [6 * MiB, 2 * MiB].entries()) {
      const vmdk = join(x, `disk-disk${i + 1}.vmdk`);
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', vmdk], { encoding: 'utf8' }));
      assert.equal(info.format, 'vmdk');
      assert.equal(info['format-specific'].data['create-type'], 'streamOptimized');
      assert.equal(info['virtual-size'], size);
      execFileSync('qemu-img', ['check', vmdk]);
    }
    checkEnvelope(readFileSync(join(x, 'disk.ovf'), 'utf8'), x);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The OVF 1.0 envelope's structure (DSP0243 1.0 / dsp8023_1.0.0.xsd), element by element. */
function checkEnvelope(xml: string, dir: string): void {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => ['File', 'Disk', 'Network', 'Item', 'vmw:Config'].includes(name),
    parseTagValue: false,
  });
  const doc = parser.parse(xml, true);
  const env = doc.Envelope;
  assert.ok(env, 'the root element is Envelope');
  assert.equal(env['@xmlns'], OVF_NS);
  assert.equal(env['@xmlns:ovf'], OVF_NS);
  assert.equal(env['@xmlns:rasd'], RASD_NS);
  assert.equal(env['@xmlns:vssd'], VSSD_NS);
  // The envelope's children in the schema's order: References, sections, then the content.
  const order = Object.keys(env).filter((k) => !k.startsWith('@'));
  assert.deepEqual(order, ['References', 'DiskSection', 'NetworkSection', 'VirtualSystem']);
  const files = env.References.File as Record<string, string>[];
  assert.equal(files.length, 2);
  for (const f of files)
    assert.equal(Number(f['@ovf:size']), statSync(join(dir, f['@ovf:href']!)).size, f['@ovf:href']);
  const disks = env.DiskSection.Disk as Record<string, string>[];
  assert.ok(env.DiskSection.Info);
  assert.deepEqual(
    disks.map((d) => [d['@ovf:diskId'], d['@ovf:fileRef'], Number(d['@ovf:capacity']), d['@ovf:format']]),
    [
      ['vmdisk1', 'file1', 6 * MiB, STREAM_OPTIMIZED_URI],
      ['vmdisk2', 'file2', 2 * MiB, STREAM_OPTIMIZED_URI],
    ],
  );
  const fileIds = new Set(files.map((f) => f['@ovf:id']));
  for (const d of disks) assert.ok(fileIds.has(d['@ovf:fileRef']), 'every Disk refers to a File');
  const network = env.NetworkSection.Network[0]['@ovf:name'];
  const vs = env.VirtualSystem;
  assert.equal(vs['@ovf:id'], 'web & <co>');
  assert.deepEqual(
    Object.keys(vs).filter((k) => !k.startsWith('@')),
    ['Info', 'Name', 'OperatingSystemSection', 'VirtualHardwareSection'],
  );
  const hw = vs.VirtualHardwareSection;
  assert.ok(hw.Info);
  assert.equal(hw.System['vssd:VirtualSystemType'], 'vmx-14');
  const items = hw.Item as Record<string, string>[];
  const ids = items.map((i) => i['rasd:InstanceID']);
  assert.equal(new Set(ids).size, ids.length, 'InstanceIDs are unique');
  for (const it of items) {
    const keys = Object.keys(it).map((k) => k.replace(/^rasd:/, ''));
    assert.deepEqual(keys, [...keys].sort(), 'RASD elements in the schema (alphabetical) order');
  }
  const byType = (t: number) => items.filter((i) => Number(i['rasd:ResourceType']) === t);
  assert.equal(byType(3)[0]?.['rasd:VirtualQuantity'], '4', 'vCPUs');
  assert.equal(byType(4)[0]?.['rasd:VirtualQuantity'], '3072', 'memory');
  assert.equal(byType(4)[0]?.['rasd:AllocationUnits'], 'byte * 2^20');
  const [scsi] = byType(6);
  assert.equal(scsi?.['rasd:ResourceSubType'], 'VirtualSCSI', 'a paravirtual SCSI controller');
  const diskItems = byType(17);
  assert.deepEqual(
    diskItems.map((d) => [d['rasd:HostResource'], d['rasd:Parent']]),
    [
      ['ovf:/disk/vmdisk1', scsi?.['rasd:InstanceID']],
      ['ovf:/disk/vmdisk2', scsi?.['rasd:InstanceID']],
    ],
  );
  const [nic] = byType(10);
  assert.equal(nic?.['rasd:ResourceSubType'], 'VmxNet3');
  assert.equal(nic?.['rasd:Connection'], network, 'the NIC is on the declared network');
  assert.deepEqual(
    (hw['vmw:Config'] as Record<string, string>[]).map((c) => [c['@vmw:key'], c['@vmw:value']]),
    [['firmware', 'efi']],
  );
}

test('firmware: efi for a GPT disk with an EFI system partition, bios otherwise', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-fw-'));
  try {
    const make = (name: string, script: string): string => {
      const p = join(dir, name);
      execFileSync('truncate', ['-s', '64M', p]);
      execFileSync('sfdisk', ['-q', p], { input: script });
      return p;
    };
    const esp = make(
      'esp.raw',
      'label: gpt\nsize=1M, type=21686148-6449-6E6F-744E-656564454649\nsize=16M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\ntype=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n',
    );
    const gptBios = make(
      'gpt-bios.raw',
      'label: gpt\nsize=1M, type=21686148-6449-6E6F-744E-656564454649\ntype=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n',
    );
    const mbr = make('mbr.raw', 'label: dos\ntype=83, bootable\n');
    const espOnly = make(
      'esp-only.raw',
      'label: gpt\nsize=16M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\ntype=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n',
    );
    assert.equal(await diskFirmware(esp), 'efi');
    assert.equal(await diskFirmware(gptBios), 'bios');
    assert.equal(await diskFirmware(mbr), 'bios');
    // Only UEFI boots a disk with an ESP and no boot code in its MBR (`ingot run` picks OVMF for it).
    assert.equal(onlyUefiBoots(await readDiskHead(espOnly)), true);
    assert.equal(onlyUefiBoots(await readDiskHead(esp)), true, 'a BIOS boot partition alone boots nothing');
    // GRUB's boot.img in the MBR (it starts with a short jump, eb 63 90): a hybrid disk, SeaBIOS boots it.
    const fd = openSync(esp, 'r+');
    writeSync(fd, Buffer.from([0xeb, 0x63, 0x90]), 0, 3, 0);
    closeSync(fd);
    assert.equal(onlyUefiBoots(await readDiskHead(esp)), false, 'hybrid: SeaBIOS boots it');
    assert.equal(onlyUefiBoots(await readDiskHead(gptBios)), false);
    assert.equal(onlyUefiBoots(await readDiskHead(mbr)), false);
    const qcow2 = join(dir, 'esp-only.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', espOnly, qcow2]);
    assert.equal(
      onlyUefiBoots(await readDiskHead({ path: qcow2, format: 'qcow2' }, dir)),
      true,
      'read through qemu-img',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

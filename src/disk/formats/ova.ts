/**
 * @module OVA for VMware: a ustar archive of, in the order OVF 1.0 requires, the OVF descriptor,
 * its SHA256 manifest (`.mf`), then one streamOptimized VMDK per disk (the boot disk first).
 * Every VMDK passes `qemu-img check` before it goes in; the archive's member order is read back.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runCommand } from '../../process/index.ts';
import { sha256Large } from '../digest.ts';
import type { FormatJob, WrittenFormat } from './job.ts';
import { ovfDescriptor } from './ovf.ts';
import { checkDisk, convertDisk } from './qemu-img.ts';
import { STREAM_OPTIMIZED } from './vmdk.ts';

/** The manifest's lines: `SHA256(name)= hex`, one per file, as ovftool writes them. */
export const manifestText = (files: readonly { name: string; sha256: string }[]): string =>
  files.map((f) => `SHA256(${f.name})= ${f.sha256}\n`).join('');

export async function writeOva(job: FormatJob): Promise<WrittenFormat> {
  const stem = basename(job.out).replace(/\.ova$/, '');
  const dir = await mkdtemp(join(job.workDir, 'ova-'));
  try {
    const vmdks = await Promise.all(
      job.disks.map(async (d, i) => {
        const href = `${stem}-disk${i + 1}.vmdk`;
        await convertDisk(d, 'vmdk', STREAM_OPTIMIZED, join(dir, href), job.run);
        await checkDisk(join(dir, href), 'vmdk', d.sizeBytes, job.run);
        const { size } = await stat(join(dir, href));
        return { href, fileSize: size, capacityBytes: d.sizeBytes, sha256: await sha256Large(join(dir, href)) };
      }),
    );
    const ovf = ovfDescriptor({ ...job.machine, disks: vmdks });
    await writeFile(join(dir, `${stem}.ovf`), ovf);
    const files = [{ name: `${stem}.ovf`, sha256: await sha256Large(join(dir, `${stem}.ovf`)) }];
    files.push(...vmdks.map((v) => ({ name: v.href, sha256: v.sha256 })));
    await writeFile(join(dir, `${stem}.mf`), manifestText(files));
    const members = [`${stem}.ovf`, `${stem}.mf`, ...vmdks.map((v) => v.href)];
    await runCommand(
      [
        'tar',
        '--format=ustar',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mode=0644',
        '-cf',
        job.out,
        '-C',
        dir,
        ...members,
      ],
      job.run,
    );
    const listed = (await runCommand(['tar', '-tf', job.out], job.run)).stdout.trim().split('\n');
    if (listed.join(' ') !== members.join(' '))
      throw new Error(`${job.out} lists ${listed.join(', ')}, expected ${members.join(', ')}`);
    return {
      path: job.out,
      checks: `OVF 1.0 (${job.machine.cpus} vCPU, ${job.machine.memoryMiB} MiB, ${job.machine.firmware}), ${vmdks.length} streamOptimized VMDK(s) passed qemu-img check, SHA256 manifest`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Extracts the OVA's first disk (the boot disk, per OVF order) into `dir`; returns its path. */
export async function extractOvaBootDisk(ova: string, dir: string): Promise<string> {
  const members = (await runCommand(['tar', '-tf', ova])).stdout.trim().split('\n');
  const vmdk = members.find((m) => m.endsWith('.vmdk') && !m.includes('/'));
  if (!vmdk) throw new Error(`${ova} holds no VMDK disk (members: ${members.join(', ')})`);
  await runCommand(['tar', '-xf', ova, '-C', dir, vmdk]);
  return join(dir, vmdk);
}

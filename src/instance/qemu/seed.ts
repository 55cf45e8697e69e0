/**
 * @module The first-boot seed disk given to a VM: a tiny FAT file system labelled `CIDATA` holding
 * NoCloud `meta-data`/`user-data`, read by cloud-init (which takes only vfat or iso9660 seeds) or
 * by Ingot's first-boot unit in images that opt out of cloud-init. Made with mkfs.vfat and mtools'
 * mcopy into a file: nothing is mounted (the host kernel may have no vfat).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../process/index.ts';

/** The label NoCloud looks for (cloud-init and Ingot's first-boot unit). */
export const SEED_LABEL = 'cidata';

export interface SeedContent {
  instanceId: string;
  hostname?: string;
  sshAuthorizedKeys?: readonly string[];
  /** A `#!` script run once at first boot instead of the cloud-config (keys then come from it). */
  userDataScript?: string;
}

/** The seed's two files, in the NoCloud layout (also readable by cloud-init). */
export function seedFiles(s: SeedContent): { 'meta-data': string; 'user-data': string } {
  const meta = `instance-id: ${s.instanceId}\n${s.hostname ? `local-hostname: ${s.hostname}\n` : ''}`;
  const user =
    s.userDataScript ??
    `#cloud-config\ndisable_root: false\nssh_authorized_keys:\n${(s.sshAuthorizedKeys ?? []).map((k) => `  - ${k.trim()}\n`).join('')}`;
  return { 'meta-data': meta, 'user-data': user };
}

export async function writeSeedDisk(outFile: string, content: SeedContent, workDir: string): Promise<void> {
  const dir = await mkdtemp(join(workDir, 'seed-'));
  try {
    await mkdir(dir, { recursive: true });
    const files = seedFiles(content);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await runCommand(['mkfs.vfat', '-C', '-n', SEED_LABEL.toUpperCase(), outFile, '1024']);
    for (const name of Object.keys(files)) await runCommand(['mcopy', '-i', outFile, join(dir, name), `::/${name}`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

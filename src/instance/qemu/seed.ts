/**
 * @module The first-boot seed disk given to a VM: a tiny file system labelled `cidata` holding
 * NoCloud `meta-data`/`user-data` (read by the image's ingot-firstboot unit, or by cloud-init).
 * Made with `mkfs.ext4 -d` into a file: no mount, no genisoimage/mtools needed on the host.
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
    `#cloud-config\nssh_authorized_keys:\n${(s.sshAuthorizedKeys ?? []).map((k) => `  - ${k.trim()}\n`).join('')}`;
  return { 'meta-data': meta, 'user-data': user };
}

export async function writeSeedDisk(outFile: string, content: SeedContent, workDir: string): Promise<void> {
  const dir = await mkdtemp(join(workDir, 'seed-'));
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(seedFiles(content))) await writeFile(join(dir, name), text);
    await runCommand(['mkfs.ext4', '-q', '-F', '-O', '^has_journal', '-L', SEED_LABEL, '-d', dir, outFile, '2M']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

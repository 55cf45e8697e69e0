/**
 * @module The first-boot seed disk given to a VM: a tiny file system labelled `cidata` holding
 * NoCloud `meta-data`/`user-data` (read by the image's ingot-firstboot unit, or by cloud-init).
 * Made with `mkfs.ext4 -d` into a file: no mount, no genisoimage/mtools needed on the host.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEED_LABEL, seedFiles, type SeedContent } from '../../disk/firstboot.ts';
import { runTool } from '../../disk/run-tool.ts';

export async function writeSeedDisk(outFile: string, content: SeedContent, workDir: string): Promise<void> {
  const dir = await mkdtemp(join(workDir, 'seed-'));
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(seedFiles(content))) await writeFile(join(dir, name), text);
    await runTool(['mkfs.ext4', '-q', '-F', '-O', '^has_journal', '-L', SEED_LABEL, '-d', dir, outFile, '2M']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

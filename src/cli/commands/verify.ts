/** @module `ingot verify DIR|IMAGE [--key PUB]`: checks an output directory's or OCI image's signatures and checksums. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot verify DIR|IMAGE [--key PUB] [--tag TAG] [--verbose]

Checks, offline, with the public key:
  DIR     a build output directory: SHA256SUMS.sig over SHA256SUMS, every listed checksum, no
          unlisted files, manifest.json's artifact digests, and the cosign signature of DIR/oci
          when signed
  IMAGE   an OCI layout directory or oci-archive (.tar): every blob digest and the cosign signature
          (the sha256-<hex>.sig image) of the image
Exits 0 only when every check holds.

  --key PUB     PEM public key (or the private key, whose public half is used);
                default $INGOT_SIGNING_PUBLIC_KEY, else $INGOT_SIGNING_KEY
  --tag TAG     the image's tag in the layout (when it holds several)
  --verbose     list every check that held`;

export const command: CommandModule = {
  summary: 'verify the signatures and checksums of an output directory or OCI image',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { key: { type: 'string' }, tag: { type: 'string' }, verbose: { type: 'boolean', default: false } },
    });
    const target = positionals[0];
    if (!target || positionals.length > 1)
      throw new IngotError('ValidationException', 'verify needs exactly one DIR or IMAGE');
    if (!existsSync(target)) throw new IngotError('ResourceNotFoundException', `${target} does not exist`);
    const { resolveSettings } = await import('../../config/settings.ts');
    const keyPath = values.key ?? resolveSettings(process.env).signingPublicKey;
    if (!keyPath)
      throw new IngotError('ValidationException', 'no public key: pass --key PUB or set INGOT_SIGNING_PUBLIC_KEY');
    const { loadPublicKey } = await import('../../signing/keys.ts');
    const key = await loadPublicKey(keyPath);
    const report = await verifyTarget(target, key, values.tag);
    if (values.verbose) for (const c of report.checked) process.stdout.write(`ok       ${c}\n`);
    for (const p of report.problems) process.stdout.write(`FAILED   ${p}\n`);
    process.stderr.write(
      report.ok
        ? `verified: ${report.checked.length} checks passed\n`
        : `verification FAILED: ${report.problems.length} problem(s)\n`,
    );
    return report.ok ? 0 : 1;
  },
};

async function verifyTarget(target: string, key: import('node:crypto').KeyObject, tag: string | undefined) {
  const isDir = statSync(target).isDirectory();
  if (isDir && !existsSync(join(target, 'oci-layout'))) {
    const { verifyOutputDir } = await import('../../signing/verify-output.ts');
    return verifyOutputDir(target, key);
  }
  const { verifyOciImage } = await import('../../signing/verify-oci.ts');
  if (isDir) return verifyOciImage(target, { key, ...(tag ? { tag } : {}) });
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { extractOciArchive } = await import('../../oci/image/archive.ts');
  const dir = await mkdtemp(join(tmpdir(), 'ingot-verify-'));
  try {
    await extractOciArchive(target, dir);
    return await verifyOciImage(dir, { key, ...(tag ? { tag } : {}) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

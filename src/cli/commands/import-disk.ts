/** @module `ingot import-disk FILE [--output DIR]`: an existing disk image as a parentImage, offline (no server). */
import { constants } from 'node:fs';
import { access, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import { CommandFailed } from '../../process/index.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot import-disk FILE [--output DIR]

Reads an existing disk image (raw, qcow2, vmdk, vhdx or vhd; MBR, GPT or a bare file system)
on this machine, without a server: finds its root partition (the largest Linux partition; it
must be ext2/3/4), copies its files out with owners and modes (no mount, no loop device) and
writes DIR/rootfs.tar.zst. Its absolute path is printed on stdout: use it as a recipe's
parentImage (\`parentImage: /abs/path/rootfs.tar.zst\`, or with \`ingot build\`).

Through the API the same import is ImportDiskImage (see docs/import.md).

Options:
  --output DIR   where to write rootfs.tar.zst (default ./ingot-output/import-NAME, NAME being
                 FILE's name without its extension); a failed import removes DIR (and the
                 parents it made) again when it created it

Exit status: 0 when imported; 1 when FILE is not a disk Ingot can import or the import failed;
2 for usage errors (no FILE, an unknown option, FILE missing or unreadable).`;

function usageError(message: string, showUsage = true): number {
  process.stderr.write(`ingot import-disk: ${message}\n${showUsage ? `\n${usage}\n` : ''}`);
  return 2;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * What a failed import must undo: the output directory and the parents this run creates (only
 * those that do not exist yet; a parent is removed only when empty), or, in a directory that was
 * already there, a rootfs.tar.zst this run started writing.
 */
async function cleanUpOnFailure(outDir: string): Promise<() => Promise<void>> {
  const tarball = join(outDir, 'rootfs.tar.zst');
  if (await exists(outDir)) {
    const hadTarball = await exists(tarball);
    return async () => {
      if (!hadTarball) await rm(tarball, { force: true }).catch(() => undefined);
    };
  }
  let top = outDir;
  while (dirname(top) !== top && !(await exists(dirname(top)))) top = dirname(top);
  return async () => {
    await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
    // Then the parents made for it, innermost first, up to the first one that was missing.
    for (let d = outDir; d !== top; ) {
      d = dirname(d);
      if (
        !(await rmdir(d).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  };
}

export const command: CommandModule = {
  summary: 'turn a raw/qcow2/vmdk/vhdx/vhd disk into a parentImage rootfs tarball',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { output: { type: 'string' } },
    });
    if (positionals.length !== 1) return usageError('give exactly one disk image FILE');
    const file = resolve(positionals[0]!);
    const st = await stat(file).catch(() => undefined);
    if (!st) return usageError(`${positionals[0]}: no such file`, false);
    if (!st.isFile()) return usageError(`${positionals[0]}: not a regular file (a disk image file is expected)`, false);
    if (
      !(await access(file, constants.R_OK).then(
        () => true,
        () => false,
      ))
    )
      return usageError(`${positionals[0]}: not readable`, false);
    if (values.output === '') return usageError('--output needs a directory');
    const outDir = resolve(values.output ?? `ingot-output/import-${basename(file).replace(/\.[^.]*$/, '') || 'disk'}`);
    const { importDisk } = await import('../../disk/import.ts');
    const started = Date.now();
    const cleanUp = await cleanUpOnFailure(outDir);
    const imported = await importDisk(file, outDir).catch(async (err: unknown) => {
      await cleanUp();
      // A failing tool (qemu-img, debugfs, tar) is reported in one line, without a stack.
      throw err instanceof IngotError && !(err instanceof CommandFailed)
        ? err
        : new IngotError(
            'ServiceException',
            `import of ${file} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
    });
    const parentImage = resolve(imported.parentImage);
    process.stderr.write(
      `ingot import-disk: read the ${imported.sourceFormat === 'vpc' ? 'vhd' : imported.sourceFormat} disk ${file} (root file system at byte offset ${imported.partitionOffset}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
        `use it as a recipe's parentImage: ${parentImage}\n`,
    );
    process.stdout.write(`${parentImage}\n`);
    return 0;
  },
};

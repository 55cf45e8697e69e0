/**
 * @module Writes the image's root file system (all layers merged) as a tarball. The layers are
 * merged by withMergedLayers (a read-only overlayfs mount in a private mount namespace), so the
 * mount cannot outlive the process, even on `kill -9`. GNU tar stores links as links and FIFOs/devices
 * as entries (it opens only regular files); the pipeline runs in the build's reader cgroup.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandFailed, type Confinement } from '../../process/index.ts';
import { withMergedLayers } from '../../rootfs/merge-layers.ts';
import { BuildFailure } from '../failure.ts';

export type TarCompression = 'zstd' | 'gzip';

export const ROOTFS_FILE: Record<TarCompression, string> = { zstd: 'rootfs.tar.zst', gzip: 'rootfs.tar.gz' };

// The archive is hashed as it is written (tee), so nobody reads it again for its sha256.
const SCRIPT = `set -e -o pipefail
tar --numeric-owner --xattrs --xattrs-include='*' --sort=name -C "$1" -cf - . | $COMPRESS | tee "$OUT" | sha256sum > "$SUMS"`;

/** `lowerDirs` topmost first. Returns the tarball's sha256 (hex) and size. */
export async function writeRootfsTarball(
  lowerDirs: readonly string[],
  outFile: string,
  compression: TarCompression,
  workDir: string,
  run: Confinement = {},
): Promise<{ sha256: string; size: number }> {
  const compress = compression === 'zstd' ? 'zstd -q -T0 -3' : 'gzip -6';
  const sums = join(workDir, `rootfs-${process.pid}.sha256`);
  try {
    await withMergedLayers(
      lowerDirs,
      // Its own process group: a cancel ends the whole pipeline, not only the shell.
      {
        scratchDir: workDir,
        env: { OUT: outFile, SUMS: sums, COMPRESS: compress },
        ignoreStdout: true,
        group: true,
        ...run,
      },
      (root) => ['bash', '-c', SCRIPT, 'bash', root],
    ).catch((err: unknown) => {
      if (!(err instanceof CommandFailed) || err.startError || run.signal?.aborted) throw err;
      const how = err.exitCode ?? err.signal;
      throw new BuildFailure(
        'snapshot',
        `writing the rootfs tarball failed (exit ${how}): ${err.stderrTail.slice(0, 800)}`,
      );
    });
    const sha256 = (await readFile(sums, 'utf8')).split(' ')[0]!;
    return { sha256, size: (await stat(outFile)).size };
  } finally {
    await rm(sums, { force: true });
  }
}

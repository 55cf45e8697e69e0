/**
 * @module Writes the image's root file system (all layers merged) as a tarball. The layers are
 * merged by a read-only overlayfs mount inside a private mount namespace (`unshare -m`), so the
 * mount cannot outlive the process, even on `kill -9`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildFailure } from '../failure.ts';

export type TarCompression = 'zstd' | 'gzip';

export const ROOTFS_FILE: Record<TarCompression, string> = { zstd: 'rootfs.tar.zst', gzip: 'rootfs.tar.gz' };

// The archive is hashed as it is written (tee), so nobody reads it again for its sha256.
const SCRIPT = `set -e -o pipefail
mount -t overlay overlay -o "lowerdir=$LOWER" "$MERGED"
tar --numeric-owner --xattrs --xattrs-include='*' --sort=name -C "$MERGED" -cf - . | $COMPRESS | tee "$OUT" | sha256sum > "$SUMS"`;

/** `lowerDirs` topmost first. Returns the tarball's sha256 (hex) and size. */
export async function writeRootfsTarball(
  lowerDirs: readonly string[],
  outFile: string,
  compression: TarCompression,
  workDir: string,
): Promise<{ sha256: string; size: number }> {
  const merged = await mkdtemp(join(workDir, 'merged-'));
  // overlayfs needs two lower dirs at least for a lower-only mount; add an empty one on top.
  const empty = await mkdtemp(join(workDir, 'empty-'));
  const compress = compression === 'zstd' ? 'zstd -q -T0 -3' : 'gzip -6';
  const sums = join(workDir, `rootfs-${process.pid}.sha256`);
  try {
    await run(['unshare', '-m', '--propagation', 'private', 'bash', '-c', SCRIPT], {
      LOWER: [empty, ...lowerDirs].join(':'),
      MERGED: merged,
      OUT: outFile,
      SUMS: sums,
      COMPRESS: compress,
    });
    const sha256 = (await readFile(sums, 'utf8')).split(' ')[0]!;
    return { sha256, size: (await stat(outFile)).size };
  } finally {
    await rm(sums, { force: true });
    await rm(merged, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  }
}

function run(argv: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new BuildFailure(
              'snapshot',
              `writing the rootfs tarball failed (exit ${code}): ${stderr.trim().slice(0, 800)}`,
            ),
          ),
    );
  });
}

/**
 * @module The one "merge these layers" function: an image's layers mounted as one overlayfs tree inside a
 * private mount namespace (`unshare -m`), where one command runs on it. The mount cannot outlive the command,
 * even on `kill -9` of Ingot; a writable merge's changes are thrown away with it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandExit, type RunOptions, runCommand } from '../process/index.ts';
import { overlayOptions } from './overlay.ts';

export interface MergeOptions extends Omit<RunOptions, 'interactive'> {
  /** Let the command write to the merged tree (into a scratch upper dir, discarded afterwards). */
  writable?: boolean;
  /** Where the scratch dirs go (default the system temp dir); removed before returning. */
  scratchDir?: string;
}

// $OVERLAY_OPTIONS were checked by overlayOptions; the command's argv follows as "$@".
const SCRIPT = 'set -e\nmount -t overlay ingot-merge -o "$OVERLAY_OPTIONS" "$MERGED"\nexec "$@"';

/**
 * Runs `command(root)` while `lowerDirs` (topmost first) are merged at `root`. Resolves with its exit; rejects
 * with CommandFailed like runCommand (a failing mount included), and before any mount when a layer path is
 * unsafe for overlayfs (`:` `,` `\` or a newline). Needs root.
 */
export async function withMergedLayers(
  lowerDirs: readonly string[],
  opts: MergeOptions,
  command: (root: string) => readonly string[],
): Promise<CommandExit> {
  const { writable, scratchDir, env, ...run } = opts;
  overlayOptions({ lowerDirs }); // refuse hostile paths before making anything
  const base = await mkdtemp(join(scratchDir ?? tmpdir(), 'ingot-merge-'));
  try {
    const merged = join(base, 'merged');
    await mkdir(merged);
    let layers = [...lowerDirs];
    const upper = writable ? { upperDir: join(base, 'upper'), workDir: join(base, 'work') } : undefined;
    if (upper) await Promise.all([mkdir(upper.upperDir), mkdir(upper.workDir)]);
    else if (layers.length === 1) {
      // overlayfs needs two lower dirs at least for a lower-only mount; add an empty one on top.
      await mkdir(join(base, 'empty'));
      layers = [join(base, 'empty'), ...layers];
    }
    const options = overlayOptions({ lowerDirs: layers, ...upper });
    const argv = command(merged);
    return await runCommand(['unshare', '-m', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', ...argv], {
      cwd: base,
      label: argv.slice(0, 3).join(' '),
      ...run,
      env: { ...env, OVERLAY_OPTIONS: options, MERGED: merged },
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

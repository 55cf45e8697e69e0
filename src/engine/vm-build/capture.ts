/**
 * @module Turns what the components changed inside a running instance into an overlayfs upper
 * directory (a layer): the changed entries and their parent directories are tarred inside the
 * instance (owners, modes, xattrs and nanosecond times kept), copied out and unpacked; entries
 * that are gone become whiteouts (0/0 character devices), as overlayfs itself would write them.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Confinement } from '../../process/index.ts';
import type { Instance } from '../../instance/types.ts';
import { BuildFailure } from '../failure.ts';
import { applyCapture } from './apply-capture.ts';
import { ancestorsOf, changesBetween, listingCommand, parseListing, type Listing } from './changes.ts';

/** Lists the instance's root file system (see changes.ts). */
export async function listFiles(instance: Instance): Promise<Listing> {
  const r = await instance.exec({ argv: listingCommand() });
  // find exits 1 when a file vanished while it walked (a log rotated): the listing is still usable.
  if ((r.exitCode !== 0 && r.exitCode !== 1) || !r.stdout)
    throw new BuildFailure(
      'build',
      `could not list the files of the build instance (exit ${r.exitCode}): ${r.stderr.trim().slice(-300)}`,
    );
  return parseListing(r.stdout);
}

export interface CaptureResult {
  changed: number;
  removed: number;
}

const LIST = '/var/tmp/ingot-layer.list';
const ARCHIVE = '/var/tmp/ingot-layer.tar';

export async function captureChanges(
  instance: Instance,
  before: Listing,
  upperDir: string,
  workDir: string,
  run: Confinement = {},
): Promise<CaptureResult> {
  const { changed, removed } = changesBetween(before, await listFiles(instance));
  const entries = [...new Set([...ancestorsOf([...changed, ...removed]), ...changed])].sort();
  const local = join(workDir, 'changes.tar');
  if (entries.length) {
    const wrote = await instance.exec({ argv: ['sh', '-c', `cat > ${LIST}`], stdin: entries.join('\0') });
    if (wrote.exitCode !== 0)
      throw new BuildFailure(
        'build',
        `could not write the list of changes in the build instance: ${wrote.stderr.trim()}`,
      );
    const tar = await instance.exec({
      argv: [
        'tar',
        '-C',
        '/',
        '--format=posix',
        '--xattrs',
        '--xattrs-include=*',
        '--numeric-owner',
        '--no-recursion',
        '--ignore-failed-read',
        '--null',
        '-T',
        LIST,
        '-cpf',
        ARCHIVE,
      ],
    });
    // GNU tar exits 1 when a file changed while it was read (a log written meanwhile): still a usable archive.
    if (tar.exitCode !== 0 && tar.exitCode !== 1)
      throw new BuildFailure(
        'build',
        `could not archive the changes in the build instance (exit ${tar.exitCode}): ${tar.stderr.trim().slice(-300)}`,
      );
    await instance.copyOut(ARCHIVE, local, run);
  }
  try {
    await applyCapture({ archive: entries.length ? local : undefined, removed, upperDir, run });
  } finally {
    await rm(local, { force: true });
  }
  return { changed: changed.length, removed: removed.length };
}

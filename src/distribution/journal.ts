/**
 * @module The distribution journal, what makes a distribution all or nothing across a crash: before a
 * distribution writes to a region or pushes to a registry it records that in
 * `$INGOT_HOME/run/distributions/<image>.json` (written by rename, so it is whole or absent). The worker
 * drops the journal once the image is AVAILABLE; a journal whose owner died is undone by
 * `reapDistributionLeftovers` unless its image became AVAILABLE.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../files/write-atomic.ts';
import { join } from 'node:path';
import { processStart } from '../process/index.ts';

export interface DistributionJournal {
  imageArn: string;
  account: string;
  /** The image's key inside each site. */
  siteKey: string;
  /** Regions this distribution wrote (or began to write) to. */
  regions: string[];
  /** Registry image URIs pushed (`HOST/…/REPO:TAG`; the registry is found again by its host). */
  pushed: string[];
  /** The process distributing (and its start time, so a recycled pid is not taken for it). */
  pid: number;
  pidStart: string;
}

export const journalDir = (home: string): string => join(home, 'run', 'distributions');

const journalFile = (home: string, imageArn: string): string =>
  join(journalDir(home), `${createHash('sha256').update(imageArn).digest('hex').slice(0, 32)}.json`);

/** Writes the journal (whole, by rename). */
export async function writeJournal(home: string, journal: DistributionJournal): Promise<void> {
  await mkdir(journalDir(home), { recursive: true, mode: 0o700 });
  const file = journalFile(home, journal.imageArn);
  await writeFileAtomic(file, JSON.stringify(journal), { mode: 0o600 });
}

/** A new journal for `imageArn`, owned by this process. */
export function newJournal(imageArn: string, account: string, siteKey: string): DistributionJournal {
  return { imageArn, account, siteKey, regions: [], pushed: [], pid: process.pid, pidStart: processStart(process.pid) };
}

/** Drops the image's journal: its distribution is settled (AVAILABLE, or undone). */
export async function dropJournal(home: string, imageArn: string): Promise<void> {
  await rm(journalFile(home, imageArn), { force: true });
}

/** Journals whose owning process is gone (a crash mid-distribution, or before the image was marked AVAILABLE). */
export async function orphanJournals(home: string): Promise<DistributionJournal[]> {
  const out: DistributionJournal[] = [];
  for (const name of await readdir(journalDir(home)).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    let j: DistributionJournal;
    try {
      j = JSON.parse(await readFile(join(journalDir(home), name), 'utf8')) as DistributionJournal;
    } catch {
      continue; // a torn temp file never has the .json name; an unreadable one is left for a person
    }
    if (j.pid && j.pidStart && processStart(j.pid) === j.pidStart) continue;
    out.push(j);
  }
  return out;
}

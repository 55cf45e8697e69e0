/** @module Small record directories kept bounded: the most recently used records stay, the rest go. */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface KeepNewestOptions {
  /** Which names are records (others are left alone unless stale temp files). */
  isRecord: (name: string) => boolean;
  /** Also remove temp files (`.tmp-` in the name) older than this: left by a process that died writing. */
  staleTmpMs?: number;
}

/** Removes all but the `keep` records of `dir` with the newest mtimes (a use touches its record). */
export async function keepNewest(dir: string, keep: number, opts: KeepNewestOptions): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const dated = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs })),
  );
  const records = dated.filter((d) => opts.isRecord(d.name) && d.mtime !== undefined);
  records.sort((a, b) => b.mtime! - a.mtime!);
  const { staleTmpMs } = opts;
  const stale =
    staleTmpMs === undefined
      ? []
      : dated.filter((d) => d.name.includes('.tmp-') && d.mtime !== undefined && Date.now() - d.mtime > staleTmpMs);
  for (const d of [...records.slice(keep), ...stale]) await rm(join(dir, d.name), { force: true });
}

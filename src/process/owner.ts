/**
 * @module Directories owned by one process: `owner.json` names it (pid and start time), so any live
 * process can tell what a killed one left behind from what a running one still uses.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processStart } from './process-start.ts';

const OWNER_FILE = 'owner.json';

/** Marks `dir` as owned by this process. */
export async function writeOwner(dir: string): Promise<void> {
  await writeFile(join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));
}

/**
 * Whether the process that owns `dir` still runs. A dir without an owner file counts as alive while
 * it is younger than `graceMs` (it may be being created right now), and as given up after that
 * (`Infinity`: never given up, as when the dir may be an older Ingot's that wrote no owner file).
 */
export async function ownerAlive(dir: string, graceMs: number): Promise<boolean> {
  const text = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) {
    const mtime = await stat(dir).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    return Date.now() - mtime < graceMs;
  }
  try {
    const owner = JSON.parse(text) as { pid?: number; start?: string };
    return !!owner.pid && !!owner.start && processStart(owner.pid) === owner.start;
  } catch {
    return false;
  }
}

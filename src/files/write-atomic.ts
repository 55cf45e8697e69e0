/**
 * @module The one way to replace a small file's content: the bytes go to a temp file beside it,
 * named for this process and this call (so concurrent writers, in one process or several, never
 * share one) and created exclusively (never through a file or link already there, as in a shared
 * temp directory), then renamed over the target. A reader sees the old content or the new, never
 * half of either; the temp file is removed when the write or the rename fails.
 */
import { rename, rm, writeFile } from 'node:fs/promises';

let counter = 0;

/** A temp name beside `path`, unique to this process and call: for writers that fill it themselves. */
export function tempPathBeside(path: string): string {
  counter += 1;
  return `${path}.tmp-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Moves `tmp` over `path`; removes `tmp` and rethrows when the rename fails. */
export async function renameIntoPlace(tmp: string, path: string): Promise<void> {
  await rename(tmp, path).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
}

/** Writes `data` to `path` atomically (temp file beside it, then rename). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: { mode?: number } = {},
): Promise<void> {
  const tmp = tempPathBeside(path);
  try {
    await writeFile(tmp, data, { flag: 'wx', ...(opts.mode !== undefined ? { mode: opts.mode } : {}) });
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await renameIntoPlace(tmp, path);
}

/**
 * @module Build logs from before they were kept in the store (`$INGOT_HOME/images/REGION/ACCOUNT/
 * NAME/VERSION/BUILD/build.log`): moved into the store once, when a server starts on that data
 * directory (each file renamed `build.log.in-store` once its lines are stored), so no log is lost.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../../store/types.ts';
import { parseLogLines } from './events.ts';

/** Written once every file is moved: later starts walk nothing. */
const DONE = '.build-logs-in-store';
const BATCH = 5000;

const dirs = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);

/** Moves every build.log under `home/images` into the store; returns how many files it moved. */
export async function moveLogFilesToStore(store: Pick<Store, 'buildLogs'>, home: string): Promise<number> {
  const root = join(home, 'images');
  if (!existsSync(root) || existsSync(join(root, DONE))) return 0;
  let moved = 0;
  for (const region of await dirs(root))
    for (const account of await dirs(join(root, region)))
      for (const name of await dirs(join(root, region, account)))
        for (const version of await dirs(join(root, region, account, name)))
          for (const build of await dirs(join(root, region, account, name, version))) {
            const file = join(root, region, account, name, version, build, 'build.log');
            const text = await readFile(file, 'utf8').catch(() => undefined);
            if (text === undefined) continue;
            const arn = `arn:aws:imagebuilder:${region}:${account}:image/${name}/${version}/${build}`;
            const lines = parseLogLines(text.split('\n').filter((l) => l !== ''));
            // Before any line of a build that ran since (the file's lines come first; a later log only adds).
            if (!(await store.buildLogs.read(arn, { limit: 1 })).length)
              for (let i = 0; i < lines.length; i += BATCH)
                await store.buildLogs.append(arn, account, lines.slice(i, i + BATCH));
            await rename(file, `${file}.in-store`);
            moved++;
          }
  await writeFile(join(root, DONE), `${new Date().toISOString()}\n`);
  return moved;
}

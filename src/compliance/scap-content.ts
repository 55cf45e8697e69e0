/**
 * @module SCAP Security Guide content for Debian 12: the architecture-independent `ssg-debian` package
 * from Debian's unstable suite, fetched with a private apt state (host sources untouched) and unpacked
 * into `$INGOT_HOME/scap/`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAptMirror } from '../bases/apt-sources.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { CommandFailed, runCommand } from '../process/index.ts';

/** Where the Debian 12 data stream lands inside the unpacked package. */
export const DEBIAN12_DATASTREAM = 'usr/share/xml/scap/ssg/content/ssg-debian12-ds.xml';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface ScapContentOptions {
  /** Ingot's data directory; the content goes to `<ingotHome>/scap/`. */
  ingotHome: string;
  /** apt configuration directory to read the mirror from (default /etc/apt). */
  aptDir?: string;
}

/** apt options that keep every file apt touches under `privateDir`. */
function privateAptOptions(privateDir: string): string[] {
  return [
    `Dir::State=${join(privateDir, 'state')}`,
    `Dir::State::status=${join(privateDir, 'state', 'status')}`,
    `Dir::Cache=${join(privateDir, 'cache')}`,
    `Dir::Etc::SourceList=${join(privateDir, 'sources.list')}`,
    'Dir::Etc::SourceParts=/dev/null',
    'Dir::Etc::Preferences=/dev/null',
    'Dir::Etc::PreferencesParts=/dev/null',
    'APT::Get::List-Cleanup=0',
    'Debug::NoLocking=1',
  ].flatMap((o) => ['-o', o]);
}

async function apt(args: string[], cwd: string): Promise<void> {
  try {
    await runCommand(['apt-get', ...args], { cwd, timeoutMs: 10 * 60_000 });
  } catch (err) {
    const e = { message: (err as Error).message, stderr: err instanceof CommandFailed ? err.stderrTail : undefined };
    throw new IngotError(
      'unavailable',
      `apt-get ${args
        .filter((a) => !a.includes('='))
        .slice(-2)
        .join(' ')} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' | ')}`,
      { cause: err },
    );
  }
}

/**
 * Path of `ssg-debian12-ds.xml` under `<ingotHome>/scap/`, fetching `ssg-debian` from the unstable suite of
 * the host's own Debian mirror the first time. Never changes the host's apt sources or lists.
 */
export async function ensureScapContent(opts: ScapContentOptions): Promise<string> {
  const scapDir = join(opts.ingotHome, 'scap');
  const datastream = join(scapDir, DEBIAN12_DATASTREAM);
  if (existsSync(datastream)) return datastream;
  const { uri, components } = readAptMirror(opts.aptDir);
  const privateDir = join(scapDir, '.apt');
  await rm(privateDir, { recursive: true, force: true });
  await mkdir(join(privateDir, 'state', 'lists', 'partial'), { recursive: true });
  await mkdir(join(privateDir, 'cache', 'archives', 'partial'), { recursive: true });
  await writeFile(join(privateDir, 'state', 'status'), '');
  const signedBy = existsSync(KEYRING) ? ` [signed-by=${KEYRING}]` : '';
  await writeFile(
    join(privateDir, 'sources.list'),
    `deb${signedBy} ${uri} unstable ${components.includes('main') ? 'main' : (components[0] ?? 'main')}\n`,
  );
  const options = privateAptOptions(privateDir);
  await apt([...options, '-q', 'update'], privateDir);
  const debDir = join(privateDir, 'debs');
  await mkdir(debDir, { recursive: true });
  await apt([...options, '-q', 'download', 'ssg-debian'], debDir);
  const deb = (await readdir(debDir)).find((f) => f.startsWith('ssg-debian_') && f.endsWith('.deb'));
  if (!deb) throw new IngotError('unavailable', `apt-get download ssg-debian left no .deb in ${debDir}`);
  await runCommand(['dpkg-deb', '-x', join(debDir, deb), scapDir]);
  await rm(privateDir, { recursive: true, force: true });
  if (!existsSync(datastream)) {
    throw new IngotError(
      'unavailable',
      `${deb} has no ${DEBIAN12_DATASTREAM}; the unstable ssg-debian no longer ships Debian 12 content`,
    );
  }
  return datastream;
}

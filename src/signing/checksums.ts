/**
 * @module `SHA256SUMS` over every file of a build's output directory (sha256sum's format, so
 * `sha256sum -c` reads it) and `SHA256SUMS.sig`, a detached ECDSA P-256 signature of that file (base64).
 */
import type { KeyObject } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import { sha256File } from '../oci/digest.ts';
import { signBytes } from './keys.ts';

export const SUMS_FILE = 'SHA256SUMS';
export const SUMS_SIG_FILE = 'SHA256SUMS.sig';

/** Every regular file under `dir` (relative paths, sorted), except the checksum files themselves. */
export async function listOutputFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.replace(/\/+$/, '').length + 1))
    .filter((p) => p !== SUMS_FILE && p !== SUMS_SIG_FILE)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface ChecksumLine {
  sha256: string;
  path: string;
}

export function formatSums(lines: readonly ChecksumLine[]): string {
  return lines.map((l) => `${l.sha256}  ${l.path}\n`).join('');
}

/** Parses sha256sum output (`HEX  PATH` or `HEX *PATH`); an IngotError names a malformed line. */
export function parseSums(text: string, file = SUMS_FILE): ChecksumLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const m = /^([a-f0-9]{64}) [ *](.+)$/.exec(line);
      if (!m)
        throw new IngotError(
          'invalid-input',
          `${file}:${i + 1}: not 'SHA256  PATH': ${JSON.stringify(line.slice(0, 100))}`,
        );
      return { sha256: m[1]!, path: m[2]! };
    });
}

export interface SignedChecksums {
  sumsPath: string;
  signaturePath: string;
  files: number;
}

/** Hashes every file of `outputDir` into SHA256SUMS and signs it into SHA256SUMS.sig. */
export async function writeSignedChecksums(outputDir: string, key: KeyObject): Promise<SignedChecksums> {
  const files = await listOutputFiles(outputDir);
  const lines: ChecksumLine[] = [];
  for (const path of files) {
    if (/[\n\\]/.test(path))
      throw new IngotError('invalid-input', `output file name ${JSON.stringify(path)} has a newline or backslash`);
    lines.push({ sha256: (await sha256File(join(outputDir, path))).digest.slice('sha256:'.length), path });
  }
  const text = formatSums(lines);
  const sumsPath = join(outputDir, SUMS_FILE);
  const signaturePath = join(outputDir, SUMS_SIG_FILE);
  await writeFile(sumsPath, text);
  await writeFile(signaturePath, `${signBytes(text, key)}\n`);
  return { sumsPath, signaturePath, files: lines.length };
}

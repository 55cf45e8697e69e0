/**
 * @module The no-op fast path of `ingot build`: when nothing the last successful build of the same
 * request depended on has changed (noop-record.ts), its cached outputs are placed in the output
 * directory (hard links for OCI blobs, the archive and disk images, copies otherwise) and a fresh manifest.json
 * is written, without loading the engine. Anything changed, missing or doubtful (a blob whose
 * fingerprint moved, a base refreshed or too old, an evicted layer) returns undefined: the real
 * build runs, which re-checks every blob by its digest.
 */
import { readFile, stat } from 'node:fs/promises';
import { copyFile, link, mkdir, readlink, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type OutputManifest, writeManifest } from '../../artifacts/manifest.ts';
import { syncTree } from '../../files/sync-tree.ts';
import {
  blobFingerprint,
  fileFingerprint,
  type NoopRecord,
  placedByLink,
  recordPath,
  sha256Text,
} from './noop-record.ts';

export const defaultOutputDir = (name: string, version: string): string =>
  resolve(join('ingot-output', `${name}-${version}`));

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function inputsUnchanged(inputs: NoopRecord['inputs']): Promise<boolean> {
  for (const input of inputs) {
    const fp = await fileFingerprint(input.path);
    if (fp !== undefined && fp === input.fp) continue;
    // Touched but perhaps not changed: compare the bytes (recipe files are small).
    const text = await readFile(input.path, 'utf8').catch(() => undefined);
    if ((text === undefined ? null : sha256Text(text)) !== input.sha256) return false;
  }
  return true;
}

async function stillValid(record: NoopRecord): Promise<boolean> {
  const { base } = record;
  if (Date.now() >= base.freshUntil) return false;
  if ((await readlink(base.link).catch(() => undefined)) !== base.target) return false;
  if ((await fileFingerprint(base.meta)) !== base.metaFp) return false;
  if (!(await inputsUnchanged(record.inputs))) return false;
  for (const dir of [...record.layerDirs, record.outputRecord]) if (!(await exists(dir))) return false;
  for (const f of record.files) if ((await blobFingerprint(f.blob)) !== f.fp) return false;
  return true;
}

async function place(from: string, to: string, byLink: boolean): Promise<void> {
  const tmp = `${to}.noop-${process.pid}`;
  try {
    await rm(tmp, { force: true });
    await (byLink ? link(from, tmp) : copyFile(from, tmp));
    await rename(tmp, to);
  } finally {
    // rename() of a link onto another link of the same file does nothing and keeps tmp.
    await rm(tmp, { force: true });
  }
}

export interface NoopResult {
  outputDir: string;
  manifest: OutputManifest;
  manifestPath: string;
}

/** Places the outputs of the recorded build of `key`, or undefined when the real build must run. */
export async function tryNoopBuild(opts: {
  cacheRoot: string;
  key: string;
  output: string | undefined;
}): Promise<NoopResult | undefined> {
  const file = recordPath(opts.cacheRoot, opts.key);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let record: NoopRecord;
  try {
    record = JSON.parse(text) as NoopRecord;
  } catch {
    return undefined;
  }
  if (record.v !== 1 || !(await stillValid(record))) return undefined;
  const outputDir =
    opts.output !== undefined ? resolve(opts.output) : defaultOutputDir(record.manifest.name, record.manifest.version);
  try {
    for (const f of record.files) {
      const to = join(outputDir, f.path);
      await mkdir(dirname(to), { recursive: true });
      await place(f.blob, to, f.link && placedByLink(f.path, record.manifest));
    }
  } catch {
    return undefined; // a blob pruned meanwhile: the real build places (or makes) everything again
  }
  const manifest: OutputManifest = {
    ...record.manifest,
    createdAt: new Date().toISOString(),
    layers: record.manifest.layers.map((l) => ({ ...l, cached: true })),
    stages: {},
    reused: true,
  };
  const manifestPath = await writeManifest(outputDir, manifest);
  // Durable before success, as a real build's outputs are: the placed entries and any copied bytes
  // (the linked blobs' own bytes were flushed when their build stored them).
  await syncTree(outputDir);
  // Used now: the record is among the newest the next build's prune keeps (noop-save.ts).
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
  return { outputDir, manifest, manifestPath };
}

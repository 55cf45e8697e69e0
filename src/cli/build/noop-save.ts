/**
 * @module Writes the no-op record (noop-record.ts) after a successful local build on a managed
 * base: the inputs as the build read them (a file changed since is not recorded), the base, the
 * layers and the output files from the layer cache's output record, each blob's fingerprint taken now.
 * The newest NOOP_RECORDS_KEPT records are kept (by last use: a no-op rebuild touches its record).
 */
import { mkdir, readFile, readlink } from 'node:fs/promises';
import { writeFileAtomic } from '../../files/write-atomic.ts';
import { join } from 'node:path';
import type { OutputManifest } from '../../artifacts/manifest.ts';
import { DEFAULT_MAX_AGE_DAYS } from '../../bases/ensure.ts';
import { basesDir, CURRENT_LINK } from '../../bases/store.ts';
import { keepNewest } from '../../cache/keep-newest.ts';
import type { LayerCache } from '../../cache/layer-cache.ts';
import {
  blobFingerprint,
  fileFingerprint,
  type NoopRecord,
  placedByLink,
  recordPath,
  sha256Text,
} from './noop-record.ts';

export interface NoopSaveInput {
  key: string;
  cache: LayerCache;
  /** Every file the recipe loader looked at, with the text it used (undefined: absent). */
  read: Map<string, string | undefined>;
  basesHome: string;
  baseName: string;
  /** The build's layers, topmost first, the base's tree last. */
  lowerDirs: string[];
  outputKey: string;
}

/** A file's fingerprint, if its bytes are still the ones the build used (stat, read, stat agree). */
async function inputEntry(path: string, used: string | undefined): Promise<NoopRecord['inputs'][number] | undefined> {
  const before = await fileFingerprint(path);
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now !== used || (await fileFingerprint(path)) !== before) return undefined;
  return { path, sha256: used === undefined ? null : sha256Text(used), ...(before ? { fp: before } : {}) };
}

/** Records the build; false (nothing written) when something changed while it ran or is missing. */
export async function saveNoopRecord(s: NoopSaveInput): Promise<boolean> {
  const inputs: NoopRecord['inputs'] = [];
  for (const [path, used] of s.read) {
    const entry = await inputEntry(path, used);
    if (!entry) return false;
    inputs.push(entry);
  }
  const dir = basesDir(s.basesHome, s.baseName);
  const link = join(dir, CURRENT_LINK);
  const target = await readlink(link).catch(() => undefined);
  if (!target) return false;
  const meta = join(dir, target, 'metadata.json');
  const metaFp = await fileFingerprint(meta);
  const metadata = JSON.parse(await readFile(meta, 'utf8')) as { createdAt: string };
  // The base the build used is still the one `current` points to.
  if (!metaFp || s.lowerDirs.at(-1) !== join(dir, target, 'rootfs')) return false;
  const outputRecord = join(s.cache.root, 'outputs', `${s.outputKey}.json`);
  const text = await readFile(outputRecord, 'utf8').catch(() => undefined);
  if (!text) return false;
  const out = JSON.parse(text) as { files: { path: string; digest: string }[]; manifest: OutputManifest };
  const files: NoopRecord['files'] = [];
  for (const f of out.files) {
    const blob = s.cache.blobs.path(f.digest);
    const fp = await blobFingerprint(blob);
    if (!fp) return false;
    files.push({ path: f.path, blob, fp, link: placedByLink(f.path, out.manifest) });
  }
  const record: NoopRecord = {
    v: 1,
    inputs,
    base: {
      link,
      target,
      meta,
      metaFp,
      freshUntil: Date.parse(metadata.createdAt) + DEFAULT_MAX_AGE_DAYS * 86_400_000,
    },
    layerDirs: s.lowerDirs,
    outputRecord,
    files,
    manifest: out.manifest,
  };
  const file = recordPath(s.cache.root, s.key);
  await mkdir(join(s.cache.root, 'noop'), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(record));
  await pruneNoopRecords(s.cache.root);
  return true;
}

/**
 * At most this many no-op records (one per recipe path, flags and settings): twice the output
 * records the layer cache keeps (output-cache.ts), without which a record is of no use anyway.
 */
export const NOOP_RECORDS_KEPT = 20;
/** A temp file this old is left over from a process that died while writing its record. */
const STALE_TMP_MS = 10 * 60_000;

/** Removes all but the NOOP_RECORDS_KEPT most recently used records, and stale temp files. */
export async function pruneNoopRecords(cacheRoot: string, keep = NOOP_RECORDS_KEPT): Promise<void> {
  await keepNewest(join(cacheRoot, 'noop'), keep, {
    isRecord: (name) => name.endsWith('.json'),
    staleTmpMs: STALE_TMP_MS,
  });
}

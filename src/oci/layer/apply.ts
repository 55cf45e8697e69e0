/** @module Extracts an OCI layer or rootfs tarball (plain, gzip, zstd, xz, bzip2) onto a directory: whiteouts honoured, escapes refused. */
import { mkdir, readdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { IngotError } from '../../errors/ingot-error.ts';
import { readTar } from '../tar/tar-reader.ts';
import { createEntry, setMetadata, writeSmallFile } from './apply-entry.ts';
import { openDecompressed } from './compression.ts';
import { makeDevice, setXattrs, type XattrWrite } from './node-ops.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './overlay-entries.ts';
import { entryComponents, resolveInRoot } from './safe-path.ts';
import { TaskPool } from './task-pool.ts';

export interface ApplyLayerResult {
  entries: number;
  whiteouts: number;
  /** Entries whose xattrs could not be set because `setfattr` (package attr) is not installed. */
  xattrsSkipped: number;
}

export interface ApplyLayerOptions {
  /** Keep the archive's numeric owners (default: true when running as root). */
  sameOwner?: boolean;
  /**
   * Make `targetDir` the layer's overlayfs upper dir instead of applying the layer to it: whiteouts
   * become whiteout devices (char 0/0) and opaque markers `trusted.overlay.opaque=y`, as the
   * sandbox's overlay left them when the layer was made (the shared layer cache installs layers so).
   */
  asOverlayUpper?: boolean;
}

/** The xattr overlayfs marks an opaque directory with. */
const OVERLAY_OPAQUE = 'trusted.overlay.opaque';

/** Files up to this size are read into memory and written in the background, many at a time. */
const SMALL_FILE = 1 << 20;

async function readAll(body: AsyncIterable<Buffer>, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks, size);
}

/**
 * Applies `layerFile` on top of the tree at `targetDir` (which must exist). Entries are created in archive order;
 * small files and metadata are written concurrently, with a barrier before anything that removes or links paths.
 */
export async function applyLayer(
  layerFile: string,
  targetDir: string,
  opts: ApplyLayerOptions = {},
): Promise<ApplyLayerResult> {
  const sameOwner = opts.sameOwner ?? process.getuid?.() === 0;
  const source = await openDecompressed(layerFile);
  const pool = new TaskPool(32);
  const created = new Set<string>();
  /** Entry parent path → resolved, existing directory; valid until something could redirect or remove a path. */
  const parents = new Map<string, string>();
  const dirTimes: Array<[string, number]> = [];
  const xattrs: XattrWrite[] = [];
  const result: ApplyLayerResult = { entries: 0, whiteouts: 0, xattrsSkipped: 0 };
  for await (const { header, body } of readTar(source)) {
    if (header.path === '') continue; // the archive's own root ("./" in rootfs tarballs)
    const parts = entryComponents(header.path);
    const name = parts[parts.length - 1]!;
    const parentKey = parts.slice(0, -1).join('/');
    let parent = parents.get(parentKey);
    if (parent === undefined) {
      parent = await resolveInRoot(targetDir, parts.slice(0, -1), true);
      await mkdir(parent, { recursive: true });
      parents.set(parentKey, parent);
    }
    if (name === OPAQUE_WHITEOUT || name.startsWith(WHITEOUT_PREFIX)) {
      await pool.flush();
      result.whiteouts++;
      // `.wh..` / `.wh...` would name the directory itself or its parent (rm -r outside the entry).
      if (name !== OPAQUE_WHITEOUT && ['', '.', '..'].includes(name.slice(WHITEOUT_PREFIX.length)))
        throw new IngotError('malformed', `layer entry '${header.path}': a whiteout of '.' or '..' is not allowed`, {
          data: { path: header.path },
        });
      if (opts.asOverlayUpper) {
        if (name === OPAQUE_WHITEOUT)
          xattrs.push({ path: parent, xattrs: new Map([[OVERLAY_OPAQUE, Buffer.from('y')]]) });
        else {
          const device = join(parent, name.slice(WHITEOUT_PREFIX.length));
          await makeDevice(device, 'char', 0, 0);
          await utimes(device, header.mtime, header.mtime); // the whiteout entry carries the device's mtime
        }
        continue;
      }
      if (name === OPAQUE_WHITEOUT) await clearDirectory(parent, created);
      else await rm(join(parent, name.slice(WHITEOUT_PREFIX.length)), { recursive: true, force: true });
      parents.clear();
      continue;
    }
    const path = join(parent, name);
    if (created.has(path) || header.type === 'hardlink') await pool.flush();
    created.add(path);
    result.entries++;
    if (header.xattrs.size > 0 && header.type !== 'hardlink') xattrs.push({ path, xattrs: header.xattrs });
    if (header.type === 'file' && header.size <= SMALL_FILE) {
      const data = await readAll(body, header.size);
      await pool.run(() => writeSmallFile(path, data, header, sameOwner));
      continue;
    }
    if (header.type === 'directory') dirTimes.push([path, header.mtime]);
    if ((await createEntry(path, header, body, targetDir)) || header.type === 'symlink') {
      await pool.flush();
      parents.clear();
    }
    if (header.type !== 'hardlink') await pool.run(() => setMetadata(path, header, sameOwner));
  }
  await pool.flush();
  if (!(await setXattrs(xattrs))) result.xattrsSkipped = xattrs.length;
  for (const [dir, mtime] of dirTimes.reverse()) await utimes(dir, mtime, mtime);
  return result;
}

/** Opaque whiteout: everything below `dir` from lower layers goes; what this layer already put there stays. */
async function clearDirectory(dir: string, keep: ReadonlySet<string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!keep.has(join(dir, name))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

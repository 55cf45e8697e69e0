/**
 * @module Host-side reads of an image given as its layers (topmost first), without mounting them: each
 * step of a path takes the topmost layer that has the entry (a whiteout hides it), links are followed
 * the way the image would (absolute targets start at its root, `..` stops there), and a layer is only
 * looked into below entries that are real directories in it, so no link of any layer leads out of the
 * image. Files are read as `readImageFile` reads them: regular files only, sizes capped.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageFileError, type ImageReadOptions, readRegularFile } from './read-image-file.ts';

const MAX_LINKS = 40;

export interface LayeredEntry {
  /** Canonical path inside the image (no links left, but a final one when not followed). */
  instancePath: string;
  /** The entry in the topmost layer that has it. */
  hostPath: string;
  stats: Stats;
}

const split = (path: string): string[] => path.split('/').filter((p) => p && p !== '.');
const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

interface Found {
  layer: string;
  stats: Stats;
  /** The layers in which the entry is a directory that shows in the merged view (topmost first). */
  dirLayers: string[];
}

/** `parts` in the merged view of `layers` (those in which its parent is a real directory). */
async function lookup(layers: readonly string[], parts: readonly string[]): Promise<Found | undefined> {
  let found: Found | undefined;
  for (const layer of layers) {
    const st = await lstat(join(layer, ...parts)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!st) continue;
    if (!found) {
      if (isWhiteout(st)) return undefined;
      found = { layer, stats: st, dirLayers: st.isDirectory() ? [layer] : [] };
      if (!st.isDirectory()) return found;
      continue;
    }
    // Below a directory, lower layers show through only while they have a directory there too.
    if (!st.isDirectory()) break;
    found.dirLayers.push(layer);
  }
  return found;
}

/** The layers in which the canonical `parts` is a directory of the merged view. */
async function dirLayersOf(layers: readonly string[], parts: readonly string[]): Promise<string[]> {
  let dirs = [...layers];
  for (let i = 0; i < parts.length && dirs.length; i++)
    dirs = (await lookup(dirs, parts.slice(0, i + 1)))?.dirLayers ?? [];
  return dirs;
}

/** Resolves `path` (absolute, as the image sees it); undefined when the image has no such entry. */
export async function resolveLayered(
  layers: readonly string[],
  path: string,
  followLast = true,
): Promise<LayeredEntry | undefined> {
  let pending = split(path);
  let done: string[] = [];
  let dirs = [...layers];
  let links = 0;
  while (pending.length) {
    const [name = '', ...rest] = pending;
    pending = rest;
    if (name === '..') {
      done.pop();
      dirs = await dirLayersOf(layers, done);
      continue;
    }
    const found = await lookup(dirs, [...done, name]);
    if (!found) return undefined;
    if (found.stats.isSymbolicLink() && (pending.length || followLast)) {
      if (++links > MAX_LINKS) throw new ImageFileError(path, 'link-loop', 'too many symbolic links');
      const target = await readlink(join(found.layer, ...done, name));
      if (target.startsWith('/')) {
        done = [];
        dirs = [...layers];
      }
      pending = [...split(target), ...pending];
      continue;
    }
    done = [...done, name];
    if (!pending.length)
      return { instancePath: `/${done.join('/')}`, hostPath: join(found.layer, ...done), stats: found.stats };
    if (!found.stats.isDirectory()) return undefined;
    dirs = found.dirLayers;
  }
  const top = layers[0];
  return top ? { instancePath: '/', hostPath: top, stats: await lstat(top) } : undefined;
}

/** The bytes of `path` in the merged image, or undefined when it has none (links followed inside it). */
export async function readLayeredFile(
  layers: readonly string[],
  path: string,
  opts: ImageReadOptions,
): Promise<Buffer | undefined> {
  opts.signal?.throwIfAborted();
  const entry = await resolveLayered(layers, path);
  return entry ? readRegularFile(entry.hostPath, path, opts) : undefined;
}

/** Names in the directory `path` of the merged image ([] when it is not one); whiteouts not filtered. */
export async function listLayeredDir(layers: readonly string[], path: string): Promise<string[]> {
  const entry = await resolveLayered(layers, path);
  if (!entry?.stats.isDirectory()) return [];
  const names = new Set<string>();
  for (const layer of await dirLayersOf(layers, split(entry.instancePath)))
    for (const name of await readdir(join(layer, entry.instancePath)).catch(() => [] as string[])) names.add(name);
  return [...names];
}

/** @module Turns overlayfs upper-dir conventions into OCI layer conventions (whiteouts, opaque dirs) and normalises entries. */
import { IngotError } from '../../errors/ingot-error.ts';
import type { TarEntry } from '../tar/tar-reader.ts';
import type { TarHeader } from '../tar/tar-header.ts';
import { emptyBody } from '../tar/tar-writer.ts';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** overlayfs keeps its own metadata in trusted.overlay.* (or user.overlay.* with the userxattr mount option). */
const OVERLAY_XATTR = /^(trusted|user)\.overlay\./;

export interface NormaliseOptions {
  kind: 'overlay-upper' | 'full-rootfs';
  /** Clamp every mtime to at most this (seconds), for reproducible layers. */
  sourceDateEpoch?: number | undefined;
}

function overlayXattr(h: TarHeader, name: string): string | undefined {
  return (h.xattrs.get(`trusted.overlay.${name}`) ?? h.xattrs.get(`user.overlay.${name}`))?.toString('utf8');
}

/** An empty regular file standing for a whiteout: `<dir>/<name>`, root-owned, mtime of the entry it replaces. */
function whiteoutEntry(dir: string, name: string, mtime: number): TarEntry {
  const header: TarHeader = {
    path: dir ? `${dir}/${name}` : name,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
  };
  return { header, body: emptyBody() };
}

function isWhiteout(h: TarHeader): boolean {
  const device = h.type === 'char' && h.devmajor === 0 && h.devminor === 0;
  // Kernels >= 6.7 can also mark whiteouts with an xattr on an empty file ("xwhiteouts", used when nesting overlays).
  return device || (h.type === 'file' && overlayXattr(h, 'whiteout') !== undefined);
}

/** OCI entries for one overlay upper-dir entry (`h` is the cleaned header, `raw` still has the overlay xattrs). */
function fromOverlay(raw: TarHeader, h: TarHeader, body: AsyncIterable<Buffer>): TarEntry[] {
  if (overlayXattr(raw, 'redirect') !== undefined || overlayXattr(raw, 'metacopy') !== undefined) {
    throw new IngotError(
      'internal',
      `${h.path}: overlay redirect/metacopy entries are not supported; mount the sandbox overlay with redirect_dir=off,metacopy=off`,
    );
  }
  const slash = h.path.lastIndexOf('/');
  const [dir, base] = [slash === -1 ? '' : h.path.slice(0, slash), h.path.slice(slash + 1)];
  if (isWhiteout(raw)) return [whiteoutEntry(dir, `${WHITEOUT_PREFIX}${base}`, h.mtime)];
  if (raw.type === 'directory' && overlayXattr(raw, 'opaque') === 'y') {
    return [{ header: h, body: emptyBody() }, whiteoutEntry(h.path, OPAQUE_WHITEOUT, h.mtime)];
  }
  return [{ header: h, body }];
}

/** Converts and cleans entries read from a directory so they can be written as an OCI layer. */
export async function* normaliseEntries(
  entries: AsyncIterable<TarEntry>,
  opts: NormaliseOptions,
): AsyncGenerator<TarEntry> {
  const epoch = opts.sourceDateEpoch;
  for await (const { header: raw, body } of entries) {
    const h: TarHeader = {
      ...raw,
      mtime: Math.floor(epoch === undefined ? raw.mtime : Math.min(raw.mtime, epoch)),
      xattrs: new Map([...raw.xattrs].filter(([k]) => !OVERLAY_XATTR.test(k))),
    };
    if (h.path.slice(h.path.lastIndexOf('/') + 1).startsWith(WHITEOUT_PREFIX)) {
      throw new IngotError(
        'malformed',
        `${h.path}: a file named '.wh.*' cannot be stored in an OCI layer (it would read as a whiteout)`,
      );
    }
    if (opts.kind === 'overlay-upper') yield* fromOverlay(raw, h, body);
    else yield { header: h, body };
  }
}

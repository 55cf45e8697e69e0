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

function whiteoutFor(h: TarHeader, name: string): TarHeader {
  const slash = h.path.lastIndexOf('/');
  const parent = slash === -1 ? '' : h.path.slice(0, slash + 1);
  return { ...h, path: `${parent}${name}`, type: 'file', size: 0, linkpath: '', devmajor: 0, devminor: 0, mode: 0o644, uid: 0, gid: 0, xattrs: new Map() };
}

function isWhiteoutDevice(h: TarHeader): boolean {
  return h.type === 'char' && h.devmajor === 0 && h.devminor === 0;
}

/** Converts and cleans entries read from a directory so they can be written as an OCI layer. */
export async function* normaliseEntries(entries: AsyncIterable<TarEntry>, opts: NormaliseOptions): AsyncGenerator<TarEntry> {
  const clamp = (t: number): number => Math.floor(opts.sourceDateEpoch === undefined ? t : Math.min(t, opts.sourceDateEpoch));
  for await (const { header, body } of entries) {
    const h: TarHeader = { ...header, mtime: clamp(header.mtime), xattrs: new Map([...header.xattrs].filter(([k]) => !OVERLAY_XATTR.test(k))) };
    const base = h.path.slice(h.path.lastIndexOf('/') + 1);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      throw new IngotError('ValidationException', `${h.path}: a file named '.wh.*' cannot be stored in an OCI layer (it would read as a whiteout)`);
    }
    if (opts.kind === 'overlay-upper') {
      if (overlayXattr(header, 'redirect') !== undefined || overlayXattr(header, 'metacopy') !== undefined) {
        throw new IngotError('ServiceException', `${h.path}: overlay redirect/metacopy entries are not supported; mount the sandbox overlay with redirect_dir=off,metacopy=off`);
      }
      if (isWhiteoutDevice(header) || (header.type === 'file' && overlayXattr(header, 'whiteout') !== undefined)) {
        yield { header: whiteoutFor(h, `${WHITEOUT_PREFIX}${base}`), body: emptyBody() };
        continue;
      }
      if (header.type === 'directory' && overlayXattr(header, 'opaque') === 'y') {
        yield { header: h, body: emptyBody() };
        yield { header: { ...whiteoutFor(h, ''), path: `${h.path}/${OPAQUE_WHITEOUT}`, mtime: h.mtime }, body: emptyBody() };
        continue;
      }
    }
    yield { header: h, body };
  }
}

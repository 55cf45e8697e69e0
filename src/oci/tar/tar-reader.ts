/** @module Streaming tar reader (ustar, PAX, GNU long names, base-256 numbers) yielding headers with lazily read bodies. */
import { IngotError } from '../../errors/ingot-error.ts';
import { ByteReader } from './byte-reader.ts';
import { BLOCK, FLAG_TYPES, padding, type TarHeader } from './tar-header.ts';

export interface TarEntry {
  header: TarHeader;
  /** The file body; must be fully consumed (or left alone: the reader skips what was not read). */
  body: AsyncIterable<Buffer>;
}

function cString(block: Buffer, offset: number, width: number): string {
  const raw = block.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? width : end).toString('utf8');
}

function parseNumber(block: Buffer, offset: number, width: number): number {
  const raw = block.subarray(offset, offset + width);
  if (raw[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < width; i++) value = value * 256 + raw[i]!;
    return value;
  }
  const text = raw.toString('ascii').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === parseNumber(block, 148, 8);
}

/** Parses PAX records into a key → raw value map (values kept as bytes for binary xattrs). */
export function parsePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(buf.subarray(pos, space).toString('ascii'), 10);
    if (!len) break;
    const record = buf.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq !== -1) out.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

function stripDotSlash(p: string): string {
  let s = p.replace(/\/+$/, '');
  while (s.startsWith('./')) s = s.slice(2);
  return s === '.' ? '' : s;
}

function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  for (const [key, value] of pax) {
    const text = (): string => value.toString('utf8');
    if (key === 'path') h.path = stripDotSlash(text());
    else if (key === 'linkpath') h.linkpath = text();
    else if (key === 'size') h.size = Number(text());
    else if (key === 'uid') h.uid = Number(text());
    else if (key === 'gid') h.gid = Number(text());
    else if (key === 'mtime') h.mtime = Number(text());
    else if (key.startsWith('SCHILY.xattr.')) h.xattrs.set(key.slice('SCHILY.xattr.'.length), value);
  }
}

/** Reads entries one at a time. Stops at the end-of-archive marker (or end of input). */
export async function* readTar(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let globalPax = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | null = null;
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    const block = await reader.readExact(BLOCK);
    if (block === null || block.every((b) => b === 0)) break;
    if (!checksumOk(block))
      throw new IngotError('malformed', 'tar header checksum mismatch (not a tar stream, or corrupt)');
    const flag = String.fromCharCode(block[156]!);
    const size = parseNumber(block, 124, 12);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = (await reader.readExact(size + padding(size)))!.subarray(0, size);
      if (flag === 'x') pax = parsePax(data);
      else if (flag === 'g') globalPax = new Map([...globalPax, ...parsePax(data)]);
      else if (flag === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
      else longLink = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const type = FLAG_TYPES[flag];
    if (!type)
      throw new IngotError('unsupported', `unsupported tar entry type '${flag}' for ${cString(block, 0, 100)}`);
    const ustar = block.subarray(257, 263).toString('ascii') === 'ustar\0';
    const prefix = ustar ? cString(block, 345, 155) : '';
    const name = cString(block, 0, 100);
    const header: TarHeader = {
      path: stripDotSlash(longName ?? (prefix ? `${prefix}/${name}` : name)),
      type,
      mode: parseNumber(block, 100, 8) & 0o7777,
      uid: parseNumber(block, 108, 8),
      gid: parseNumber(block, 116, 8),
      size,
      mtime: parseNumber(block, 136, 12),
      linkpath: longLink ?? cString(block, 157, 100),
      devmajor: parseNumber(block, 329, 8),
      devminor: parseNumber(block, 337, 8),
      xattrs: new Map(),
    };
    applyPax(header, new Map([...globalPax, ...(pax ?? [])]));
    // A hard link names another archive member: normalise it like a member path.
    if (type === 'hardlink') header.linkpath = stripDotSlash(header.linkpath);
    pax = null;
    longName = null;
    longLink = null;
    const bodySize = type === 'file' ? header.size : 0;
    let read = 0;
    const body = (async function* () {
      for await (const chunk of reader.stream(bodySize)) {
        read += chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    await reader.skip(bodySize - read + padding(bodySize));
  }
  await reader.drain();
}

/** @module Tar entry headers: the ustar 512-byte block and PAX extended records, binary-safe (xattr values stay Buffers). */

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarHeader {
  /** Path inside the archive, without a leading `./` and without a trailing `/`. */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (integer on write). */
  mtime: number;
  /** Symlink target or hard-link target path. */
  linkpath: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes (PAX `SCHILY.xattr.<name>`), values as raw bytes. */
  xattrs: Map<string, Buffer>;
}

export const BLOCK = 512;

const TYPE_FLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

export const FLAG_TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

function isPlainAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

function writeOctal(buf: Buffer, value: number, offset: number, width: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}

/** One PAX record `"<len> <key>=<value>\n"`, where len counts the whole record in bytes. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length > len) len++;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** PAX records needed to represent `h` faithfully (empty when plain ustar suffices). */
export function paxRecordsFor(h: TarHeader): Buffer[] {
  const records: Buffer[] = [];
  const name = h.type === 'directory' ? `${h.path}/` : h.path;
  if (Buffer.byteLength(name) > 100 || !isPlainAscii(name)) records.push(paxRecord('path', name));
  if (Buffer.byteLength(h.linkpath) > 100 || !isPlainAscii(h.linkpath)) records.push(paxRecord('linkpath', h.linkpath));
  if (h.size > MAX_OCTAL_12) records.push(paxRecord('size', String(h.size)));
  if (h.uid > MAX_OCTAL_8) records.push(paxRecord('uid', String(h.uid)));
  if (h.gid > MAX_OCTAL_8) records.push(paxRecord('gid', String(h.gid)));
  for (const key of [...h.xattrs.keys()].sort()) records.push(paxRecord(`SCHILY.xattr.${key}`, h.xattrs.get(key)!));
  return records;
}

/** A raw ustar header block. Fields too large for ustar are expected to be carried by PAX records. */
export function encodeUstar(h: {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}): Buffer {
  const buf = Buffer.alloc(BLOCK);
  const fit = (s: string, n: number): string =>
    Buffer.byteLength(s) <= n && isPlainAscii(s) ? s : s.slice(-n).replace(/[^\x20-\x7e]/g, '_');
  buf.write(fit(h.name, 100), 0, 100, 'utf8');
  writeOctal(buf, h.mode & 0o7777, 100, 8);
  writeOctal(buf, Math.min(h.uid, MAX_OCTAL_8), 108, 8);
  writeOctal(buf, Math.min(h.gid, MAX_OCTAL_8), 116, 8);
  writeOctal(buf, Math.min(h.size, MAX_OCTAL_12), 124, 12);
  writeOctal(buf, Math.max(0, Math.min(Math.floor(h.mtime), MAX_OCTAL_12)), 136, 12);
  buf.write(h.typeflag, 156, 1, 'ascii');
  buf.write(fit(h.linkname, 100), 157, 100, 'utf8');
  buf.write('ustar\x0000', 257, 8, 'ascii');
  writeOctal(buf, h.devmajor, 329, 8);
  writeOctal(buf, h.devminor, 337, 8);
  buf.write('        ', 148, 8, 'ascii');
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return buf;
}

/** The blocks (PAX header + ustar header) that introduce one entry. */
export function encodeEntryHeader(h: TarHeader): Buffer {
  const records = paxRecordsFor(h);
  const name = h.type === 'directory' ? `${h.path}/` : h.path;
  const main = encodeUstar({
    name,
    typeflag: TYPE_FLAGS[h.type],
    mode: h.mode,
    uid: h.uid,
    gid: h.gid,
    size: h.type === 'file' ? h.size : 0,
    mtime: h.mtime,
    linkname: h.linkpath,
    devmajor: h.devmajor,
    devminor: h.devminor,
  });
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const paxHeader = encodeUstar({
    name: 'PaxHeaders/entry',
    typeflag: 'x',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: pax.length,
    mtime: h.mtime,
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, pax, Buffer.alloc(padding(pax.length)), main]);
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

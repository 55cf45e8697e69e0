/**
 * @module qemu-img, the one converter and checker of disk files: `convert` from a source disk (raw, or a qcow2 overlay), `check` (for
 * formats that have one) and `info` (readable as the format, the expected virtual size).
 */
import { type Confinement, runCommand } from '../../process/index.ts';

/** qemu-img check's exit code for "this format does not support checks". */
const CHECK_UNSUPPORTED = 63;

/** Converts `disk` (a raw file, or a qcow2 overlay of one: the output is standalone either way) to `qemuFormat`. */
export async function convertDisk(
  disk: { path: string; format?: 'qcow2' | undefined },
  qemuFormat: string,
  options: string[],
  out: string,
  run: Confinement = {},
): Promise<void> {
  // -t unsafe: no flush of the output at the end (Ingot writes every other output through the page
  // cache too); waiting for a GiB to reach the device cost seconds while other writes were pending.
  const from = disk.format ?? 'raw';
  await runCommand(
    ['qemu-img', 'convert', '-t', 'unsafe', '-f', from, '-O', qemuFormat, ...options, disk.path, out],
    run,
  );
}

export interface DiskInfo {
  virtualSize: number;
  actualSize: number;
  /** False when the format has no consistency check (raw, vpc). */
  checked: boolean;
}

/** Throws unless `path` reads as `qemuFormat` with `expectedSize` bytes and passes `qemu-img check`. */
export async function checkDisk(
  path: string,
  qemuFormat: string,
  expectedSize: number,
  run: Confinement = {},
): Promise<DiskInfo> {
  // Both only read the file: side by side.
  const [check, infoRun] = await Promise.all([
    runCommand(['qemu-img', 'check', '-f', qemuFormat, path], { ...run, okCodes: [CHECK_UNSUPPORTED] }),
    runCommand(['qemu-img', 'info', '--output=json', '-f', qemuFormat, path], run),
  ]);
  const info = JSON.parse(infoRun.stdout) as {
    'virtual-size': number;
    'actual-size': number;
    format: string;
  };
  if (info.format !== qemuFormat) throw new Error(`qemu-img info reads ${path} as ${info.format}, not ${qemuFormat}`);
  if (info['virtual-size'] !== expectedSize)
    throw new Error(`${path} has a virtual size of ${info['virtual-size']} bytes, expected ${expectedSize}`);
  return {
    virtualSize: info['virtual-size'],
    actualSize: info['actual-size'],
    checked: check.exitCode !== CHECK_UNSUPPORTED,
  };
}

/** The virtual size in bytes of a disk image file in `qemuFormat` (qemu-img info). */
export async function diskVirtualSize(path: string, qemuFormat: string): Promise<number> {
  const r = await runCommand(['qemu-img', 'info', '--output=json', '-f', qemuFormat, path]);
  return (JSON.parse(r.stdout) as { 'virtual-size': number })['virtual-size'];
}

/** The usual log line of a checked disk. */
export const checkLine = (qemuFormat: string, info: DiskInfo): string =>
  `${qemuFormat}, ${info.virtualSize} bytes virtual, qemu-img check ${info.checked ? 'passed' : 'not supported by the format'}`;

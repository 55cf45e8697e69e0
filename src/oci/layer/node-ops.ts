/** @module File-system operations Node lacks (mknod, mkfifo, setting xattrs), done with standard host tools. */
import { hasTool, runCommand } from '../../process/index.ts';

export async function makeDevice(path: string, type: 'char' | 'block', major: number, minor: number): Promise<void> {
  await runCommand(['mknod', path, type === 'char' ? 'c' : 'b', String(major), String(minor)]);
}

export async function makeFifo(path: string): Promise<void> {
  await runCommand(['mkfifo', path]);
}

export interface XattrWrite {
  path: string;
  xattrs: Map<string, Buffer>;
}

/** `setfattr --restore` format: one `# file:` block per path, values hex-encoded (binary safe). */
function restoreScript(writes: readonly XattrWrite[]): string {
  const quote = (p: string): string =>
    p.replace(/[\\\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return writes
    .map(
      (w) => `# file: ${quote(w.path)}\n${[...w.xattrs].map(([k, v]) => `${k}=0x${v.toString('hex')}`).join('\n')}\n`,
    )
    .join('\n');
}

/**
 * Sets all xattrs with one `setfattr --restore` process. Returns false (nothing done) when setfattr is not
 * installed; the caller reports the xattrs as skipped.
 */
export async function setXattrs(writes: readonly XattrWrite[]): Promise<boolean> {
  if (writes.length === 0) return true;
  if (!hasTool('setfattr')) return false;
  await runCommand(['setfattr', '-h', '--restore=-'], { input: restoreScript(writes), ignoreStdout: true });
  return true;
}

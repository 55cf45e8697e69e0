/** @module File-system operations Node lacks (mknod, mkfifo, setting xattrs), done with standard host tools. */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeDevice(path: string, type: 'char' | 'block', major: number, minor: number): Promise<void> {
  await run('mknod', [path, type === 'char' ? 'c' : 'b', String(major), String(minor)]);
}

export async function makeFifo(path: string): Promise<void> {
  await run('mkfifo', [path]);
}

export interface XattrWrite {
  path: string;
  xattrs: Map<string, Buffer>;
}

let setfattrAvailable: Promise<boolean> | undefined;

export function hasSetfattr(): Promise<boolean> {
  setfattrAvailable ??= run('setfattr', ['--version']).then(
    () => true,
    () => false,
  );
  return setfattrAvailable;
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
  if (!(await hasSetfattr())) return false;
  const child = spawn('setfattr', ['-h', '--restore=-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  child.stdin.end(restoreScript(writes));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`setfattr failed (exit ${code}): ${stderr.trim()}`);
  return true;
}

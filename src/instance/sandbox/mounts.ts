/** @module overlayfs mount/unmount for sandboxes, and finding mounts left below a directory. */
import { readFile } from 'node:fs/promises';
import { mountOverlay as mount, type OverlaySpec } from '../../rootfs/overlay.ts';
import { UnsupportedInstanceError } from '../types.ts';

export { unmount, unmountAll } from '../../rootfs/overlay.ts';

/** A sandbox's overlay is writable: its upper dir becomes the build's layer. */
export async function mountOverlay(
  spec: Required<Omit<OverlaySpec, 'volatile'>> & Pick<OverlaySpec, 'volatile'>,
  target: string,
): Promise<void> {
  if (spec.lowerDirs.length === 0) throw new Error('an overlay sandbox needs at least one lower dir');
  try {
    await mount(spec, target, 'ingot-sandbox');
  } catch (err) {
    const stderr = (err as { stderrTail?: string }).stderrTail?.trim();
    throw new UnsupportedInstanceError(`cannot mount overlayfs at ${target}: ${stderr || (err as Error).message}`);
  }
}

const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((l) => unescapeMount(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** @module What the disk end-to-end tests share: why they skip on this machine, and their persistent home. */
import { hasTool } from '../../src/process/index.ts';

/**
 * The home the disk tests share (the bootable-disk layer and the kept disks stay cached between the
 * files and between runs); INGOT_TEST_DISK_HOME moves it.
 */
export const TEST_DISK_HOME = process.env['INGOT_TEST_DISK_HOME'] ?? '/tmp/ingot-test-disk-home';

/**
 * Why a disk test cannot run here (a tool missing, then any `extra` reason given, then not root),
 * or false. `extra` reasons are checked in order.
 */
export async function diskTestSkip(tools: readonly string[], ...extra: (string | false)[]): Promise<string | false> {
  const missing = (await Promise.all(tools.map(async (t) => ((await hasTool(t)) ? undefined : t)))).filter(Boolean);
  if (missing.length) return `missing tools: ${missing.join(', ')} (scripts/install-system-deps.sh)`;
  const other = extra.find((r) => r);
  if (other) return other;
  return process.getuid?.() !== 0 ? 'needs root (overlay mounts, sandboxed build steps)' : false;
}

/**
 * @module The sandbox build instance (bubblewrap namespaces + overlayfs + cgroups), in place on a
 * root directory or as overlay layers over a base; `cleanupStaleSandboxes` for server start-up.
 */
import type { SandboxOptions } from './options.ts';
import { SandboxInstance } from './sandbox-instance.ts';
import { setUpSandbox } from './setup.ts';
import { findBwrap } from './bwrap.ts';

export { SandboxInstance } from './sandbox-instance.ts';
export type { InPlaceSandboxOptions, OverlaySandboxOptions, SandboxCommonOptions, SandboxOptions } from './options.ts';
export { cleanupStaleSandboxes } from './runtime.ts';
export { DEFAULT_SANDBOX_ENV, SANDBOX_CAPABILITIES } from './bwrap.ts';

/** Creates a sandbox; throws UnsupportedInstanceError when this machine cannot run one (no root, bwrap, overlayfs). */
export async function createSandboxInstance(options: SandboxOptions): Promise<SandboxInstance> {
  findBwrap();
  const res = await setUpSandbox(options);
  return new SandboxInstance(res, options);
}

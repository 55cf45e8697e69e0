/** @module Options of the sandbox instance: an in-place root, or overlay layers over a base. */
import type { ResourceLimits } from '../../cgroups/instance-types.ts';
import type { SandboxNetwork } from './network.ts';

export interface SandboxCommonOptions {
  /** Host name inside the sandbox (default: the sandbox id). */
  hostname?: string;
  /** cgroup limits; whatever the machine cannot enforce is listed in `SandboxInstance.warnings`. */
  limits?: ResourceLimits;
  /** Environment of every exec, over the defaults (PATH, HOME, LANG, DEBIAN_FRONTEND...). */
  env?: Readonly<Record<string, string>>;
  /** Where runtime directories and mount points live: the INGOT_HOME setting (default: `ingot` in the temp dir). */
  ingotHome?: string;
  /**
   * `isolated` (default): the instance's own network namespace, outbound only (slirp4netns), no
   * host loopback. `host`: the host's network namespace (opt-in; steps can reach host services).
   */
  network?: SandboxNetwork;
  /**
   * A host directory mounted on /tmp, shared by the instances of one build (the engine's build
   * /tmp); default: the instance's own, removed with it.
   */
  tmpDir?: string;
}

/** Chroot into `rootDir` and modify it (`ingot toe run --root DIR`). */
export interface InPlaceSandboxOptions extends SandboxCommonOptions {
  rootDir: string;
}

/** overlayfs: read-only `lowerDirs` (topmost first), the build's writes (and whiteouts) in `upperDir`. */
export interface OverlaySandboxOptions extends SandboxCommonOptions {
  lowerDirs: readonly string[];
  upperDir: string;
  /** overlayfs work dir on the same file system as upperDir (default: one the sandbox makes and removes). */
  workDir?: string;
  /**
   * The writes are thrown away when the sandbox closes (a test instance): the overlay is mounted
   * `volatile`, so its unmount does not sync the whole host file system the upper dir is on.
   */
  throwaway?: boolean;
  /**
   * The writes are kept (a build instance's upper dir becomes a layer) and the caller makes them
   * durable itself, by an fsync of the files it keeps: the overlay is mounted `volatile` too.
   */
  syncedByCaller?: boolean;
}

export type SandboxOptions = InPlaceSandboxOptions | OverlaySandboxOptions;

export const isOverlay = (o: SandboxOptions): o is OverlaySandboxOptions =>
  'lowerDirs' in o && Array.isArray(o.lowerDirs);

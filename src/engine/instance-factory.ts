/**
 * @module How the engine gets build and test instances: a function from the layers to stack to a
 * fresh Instance. The default makes namespace/overlayfs sandboxes with the infrastructure
 * configuration's limits; a qemu driver can be plugged in the same way.
 */
import type { Instance } from '../instance/types.ts';
import { createSandboxInstance } from '../instance/sandbox/index.ts';

export interface InstanceRequest {
  /** Read-only layers, topmost first. */
  lowerDirs: string[];
  /** Where the instance's writes go (becomes a layer for build instances). */
  upperDir: string;
  workDir: string;
  /** Host directory for /tmp, shared by the build's instances (default: the instance's own). */
  tmpDir?: string;
  /** Its writes are thrown away when it closes (validate and test instances): nothing of them need be durable. */
  throwaway?: boolean;
  /** Its writes are kept and the engine fsyncs them (build instances: the layer, see durable.ts): nothing else need sync them. */
  syncedByCaller?: boolean;
}

export type InstanceFactory = (req: InstanceRequest) => Promise<Instance>;

export interface SandboxFactoryOptions {
  /** Where sandboxes keep runtime directories and mount points. */
  ingotHome: string;
  limits?: { cpus?: number; memoryMiB?: number; pids?: number };
  hostname?: string;
  /** `host`: steps use the host's network (opt-in); default an isolated, outbound-only network. */
  network?: 'isolated' | 'host';
}

export function sandboxFactory(opts: SandboxFactoryOptions): InstanceFactory {
  return (req) =>
    createSandboxInstance({
      lowerDirs: req.lowerDirs,
      upperDir: req.upperDir,
      workDir: req.workDir,
      ...(req.tmpDir ? { tmpDir: req.tmpDir } : {}),
      ...(req.throwaway ? { throwaway: true } : {}),
      ...(req.syncedByCaller ? { syncedByCaller: true } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      hostname: opts.hostname ?? 'ingot-build',
      ingotHome: opts.ingotHome,
      ...(opts.network ? { network: opts.network } : {}),
    });
}

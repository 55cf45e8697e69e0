/**
 * @module Prepares the bootable-disk layer (kernel, GRUB for BIOS and UEFI, shim, cloud-init,
 * sshd) of a managed base ahead of any build, the way an AMI ships with its kernel: `ingot bases
 * refresh` runs it, and the layer is kept beside the base (managed-boot-layer.ts), so the first
 * disk build of every INGOT_HOME sharing the bases home finds it. It is Ingot's own component on
 * Ingot's own base (no account data): API builds of every account and local builds share it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagedBaseName } from '../../bases/catalogue.ts';
import { withPassIn, type InstancePassIn } from '../../instance/pass-in.ts';
import type { BuildEventSink } from '../events.ts';
import { sandboxFactory } from '../instance-factory.ts';
import type { StackContext } from '../layer-stack.ts';
import { resolveParent } from '../parent.ts';
import type { BuildComponent } from '../request.ts';
import { createBuildWorkDir } from '../work-dirs.ts';
import { bootComponent } from './boot-component.ts';
import { addBootLayer } from './managed-boot-layer.ts';

export interface PrepareBootLayerOptions {
  /** The INGOT_HOME whose sandbox runs the component (its work dirs are removed afterwards). */
  home: string;
  basesHome?: string | undefined;
  base: ManagedBaseName;
  passIn?: InstancePassIn;
  onEvent?: BuildEventSink;
  /** The layer's component (default: the bootable-disk component with cloud-init, what builds use by default). */
  component?: BuildComponent;
}

/** Builds (or finds ready) the bootable-disk layer beside the base; true when it was built now. */
export async function prepareBootLayer(opts: PrepareBootLayerOptions): Promise<boolean> {
  const onEvent = opts.onEvent ?? (() => {});
  const workDir = await createBuildWorkDir(opts.home);
  const factory = sandboxFactory({ ingotHome: opts.home });
  const passIn = opts.passIn ?? {};
  const ctx: StackContext = {
    workDir,
    logDir: join(workDir, 'logs'),
    cache: undefined,
    cacheScope: undefined,
    compression: 'gzip',
    newInstance: async (req) => withPassIn(await factory(req), passIn),
    passIn,
    onEvent,
    releases: [],
  };
  try {
    const parent = await resolveParent(
      { type: 'managed', base: opts.base },
      { home: opts.home, basesHome: opts.basesHome, onProgress: (line) => onEvent({ type: 'log', line }) },
    );
    const stack = { lowerDirs: parent.lowerDirs, layers: [], headKey: parent.key };
    const made = await addBootLayer(ctx, stack, parent, opts.component ?? bootComponent({ cloudInit: true }));
    return made.built;
  } finally {
    for (const release of ctx.releases) release();
    await rm(workDir, { recursive: true, force: true });
  }
}

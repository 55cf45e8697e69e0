/**
 * @module Prepares the bootable-disk layer (kernel, GRUB for BIOS and UEFI, shim, cloud-init,
 * sshd) on a managed base ahead of any build, the way an AMI ships with its kernel: `ingot bases
 * refresh` runs it, so a user's first disk build finds the layer in the cache. The layer of a
 * managed base is not scoped by account (Ingot's own component on Ingot's own base: no account
 * data), so API builds of every account and local builds share it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagedBaseName } from '../../bases/catalogue.ts';
import type { LayerCache } from '../../cache/layer-cache.ts';
import { withPassIn, type InstancePassIn } from '../../instance/pass-in.ts';
import type { BuildEventSink } from '../events.ts';
import { sandboxFactory } from '../instance-factory.ts';
import { addComponentLayer, type StackContext } from '../layer-stack.ts';
import { resolveParent } from '../parent.ts';
import { createBuildWorkDir } from '../work-dirs.ts';
import { bootComponent } from './boot-component.ts';

export interface PrepareBootLayerOptions {
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache;
  base: ManagedBaseName;
  passIn?: InstancePassIn;
  onEvent?: BuildEventSink;
}

/** Builds (or finds cached) the bootable-disk layer (with cloud-init, the default); true when it was built now. */
export async function prepareBootLayer(opts: PrepareBootLayerOptions): Promise<boolean> {
  const onEvent = opts.onEvent ?? (() => {});
  const workDir = await createBuildWorkDir(opts.home);
  const factory = sandboxFactory({ ingotHome: opts.home });
  const passIn = opts.passIn ?? {};
  const ctx: StackContext = {
    workDir,
    logDir: join(workDir, 'logs'),
    cache: opts.cache,
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
    const made = await addComponentLayer(ctx, stack, bootComponent({ cloudInit: true }));
    return made.layers.some((l) => !l.cached);
  } finally {
    for (const release of ctx.releases) release();
    await rm(workDir, { recursive: true, force: true });
  }
}

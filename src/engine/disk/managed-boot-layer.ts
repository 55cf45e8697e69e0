/**
 * @module The bootable-disk layer of a build: on a managed base it is Ingot's own content, kept
 * beside the base (src/bases/boot-layers.ts) where every INGOT_HOME sharing the bases home finds
 * it, made by `ingot bases refresh` or else by the first disk build on that base (on a farm host
 * with a shared layer cache and none beside the base: the shared cache's, as every host uses); on
 * any other parent it is an ordinary component layer in the build's layer cache.
 */
import { ensureBootLayer, readBootLayer, type StoredBootLayer } from '../../bases/boot-layers.ts';
import {
  addComponentLayer,
  componentLayerKey,
  makeLayerDurable,
  push,
  type LayerStack,
  type StackContext,
} from '../layer-stack.ts';
import type { ResolvedParent } from '../parent.ts';
import type { BuildComponent } from '../request.ts';

/**
 * The blob of the layer kept beside the base: an uncompressed tar. That layer is only ever read as
 * a directory (disk outputs; container recipes have no bootable-disk layer), so compressing its
 * ~440 MB (5-6 s of a first disk build or `ingot bases refresh`) bought nothing. Its key is made
 * with it too, so builds of either compression share the one layer.
 */
const BESIDE_BASE_COMPRESSION = 'none';

/** `stack` with the boot layer on top; `built` says whether this call made it. */
export async function addBootLayer(
  ctx: StackContext,
  stack: LayerStack,
  parent: Pick<ResolvedParent, 'baseDir' | 'description'>,
  component: BuildComponent,
): Promise<{ stack: LayerStack; built: boolean }> {
  const baseDir = parent.baseDir;
  if (!baseDir) {
    const made = await addComponentLayer(ctx, stack, component);
    return { stack: made, built: made.layers.some((l) => !l.cached) };
  }
  // Keyed like a layer cache entry with no account: base digest + the component's definition.
  const key = componentLayerKey({ compression: BESIDE_BASE_COMPRESSION }, stack, component, undefined);
  const log = (line: string) => ctx.onEvent({ type: 'log', line });
  let found = await readBootLayer(baseDir, key);
  let built = false;
  if (!found && ctx.cache?.shared) {
    // A farm host with a shared layer cache takes (or makes and uploads) the layer every host uses,
    // so the layers above it keep one key across hosts.
    const made = await addComponentLayer({ ...ctx, cacheScope: undefined }, stack, component);
    return { stack: made, built: made.layers.some((l) => !l.cached) };
  }
  if (!found) {
    log(`preparing the bootable-disk layer of ${parent.description} beside the base, for every INGOT_HOME sharing it`);
    const got = await ensureBootLayer(
      baseDir,
      key,
      async (dir) => {
        // Made in the base's own dir (no account's cache), then renamed into place.
        const made = await addComponentLayer(
          { ...ctx, compression: BESIDE_BASE_COMPRESSION, workDir: dir, cache: undefined, cacheScope: undefined },
          stack,
          component,
        );
        const top = made.layers.at(-1)!;
        // Made without a cache, so storeLayer left it to the page cache (and its package install
        // ran under libeatmydata, boot-component.ts): durable before it is renamed into place.
        await makeLayerDurable(top);
        return { component: top.component, layer: top.layer, diffDir: top.diffDir, blobPath: top.blobPath };
      },
      { onWait: () => log('waiting for another build preparing the same bootable-disk layer') },
    );
    found = got.stored;
    built = got.built;
  }
  if (!built) cachedEvent(ctx, found);
  return {
    stack: push(stack, {
      component: found.component,
      layer: found.layer,
      blobPath: found.blobPath,
      diffDir: found.diffDir,
      cached: !built,
    }),
    built,
  };
}

function cachedEvent(ctx: StackContext, found: StoredBootLayer): void {
  ctx.onEvent({
    type: 'component',
    name: found.component,
    phase: 'build',
    status: 'cached',
    detail: `${found.layer.digest.slice(0, 19)} prepared with the managed base`,
  });
}

/**
 * @module Builds in a qemu build instance: the stack so far (parent + bootable-disk layer) is
 * written to a scratch boot disk and booted; the components' build phases and then their
 * validate phases run inside the VM over SSH (so Reboot steps, exit code 194 and systemd
 * services work for real); what they changed is captured as ONE layer on top of the stack. That
 * layer is cached under all the components together: changing any of them reruns the VM.
 */
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { layerCacheKey } from '../../cache/cache-key.ts';
import { writeRootDisk } from '../../disk/root-fs.ts';
import { withPassIn } from '../../instance/pass-in.ts';
import { createQemuInstance } from '../../instance/qemu/create.ts';
import { cachedLayer, storeLayer, type LayerStack, type StackContext } from '../layer-stack.ts';
import type { BuildComponent } from '../request.ts';
import { BuildCancelled } from '../failure.ts';
import { hasPhase, runComponentsPhase } from '../run-phase.ts';
import { captureChanges, listFiles } from './capture.ts';
import { confined } from '../confined.ts';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export interface VmBuildInstance {
  cpus: number;
  memoryMiB: number;
  /** Size of the scratch boot disk (the recipe's root volume). */
  rootGiB: number;
}

/** The layer's name in logs and manifest.json. */
export const vmLayerName = (components: readonly BuildComponent[]): string =>
  `qemu build instance: ${components.map((c) => c.name).join(', ')}`;

function vmLayerKey(ctx: StackContext, stack: LayerStack, components: readonly BuildComponent[]): string {
  return layerCacheKey({
    parentLayerDigest: stack.headKey,
    componentDocument: JSON.stringify(['qemu-build-instance', ...components.map((c) => [c.name, c.text])]),
    componentVersion: components.map((c) => c.version).join(','),
    parameters: Object.fromEntries(
      components.flatMap((c, i) => Object.entries(c.parameters).map(([k, v]) => [`${i}.${k}`, v])),
    ),
    compression: ctx.compression,
    scope: ctx.cacheScope,
  });
}

export async function addVmLayer(
  ctx: StackContext,
  stack: LayerStack,
  components: readonly BuildComponent[],
  vm: VmBuildInstance,
): Promise<LayerStack> {
  if (!components.some((c) => hasPhase(c, 'build') || hasPhase(c, 'validate'))) return stack;
  const name = vmLayerName(components);
  const key = vmLayerKey(ctx, stack, components);
  const hit = await cachedLayer(ctx, stack, key, name);
  if (hit) {
    ctx.onEvent({
      type: 'log',
      line: 'the build and validate phases ran in a VM when this layer was made; it is reused as is',
    });
    return hit;
  }
  const started = performance.now();
  ctx.onEvent({ type: 'component', name, phase: 'build', status: 'start' });
  const dir = await mkdtemp(join(ctx.workDir, 'vm-layer-'));
  const upper = join(dir, 'upper');
  const keptDisk = join(dir, 'failed.qcow2');
  await mkdir(upper);
  try {
    const disk = await confined(ctx, 'build disk', (run) =>
      writeRootDisk({
        lowerDirs: stack.lowerDirs,
        outFile: join(dir, 'build.raw'),
        sizeGiB: vm.rootGiB,
        workDir: dir,
        run,
      }),
    );
    const booting = performance.now();
    const booted = await createQemuInstance({
      disk: disk.path,
      diskFormat: 'raw',
      workDir: dir,
      hostname: 'ingot-build',
      cpus: vm.cpus,
      memoryMiB: vm.memoryMiB,
      signal: ctx.signal,
      onBootProgress: (line) => ctx.onEvent({ type: 'log', line: `qemu build instance: ${line}` }),
      ...(ctx.qemuAccel ? { accel: ctx.qemuAccel } : {}),
    });
    const instance = withPassIn(booted, ctx.passIn);
    let failed = true;
    try {
      ctx.onEvent({
        type: 'log',
        line: `qemu build instance (${vm.cpus} vCPU, ${vm.memoryMiB} MiB) answered SSH ${((performance.now() - booting) / 1000).toFixed(1)} s after it started`,
      });
      // cloud-init's later stages (config, final) run after sshd: let them end before the first listing.
      await instance.exec({
        argv: ['sh', '-c', 'command -v cloud-init >/dev/null || exit 0; cloud-init status --wait >/dev/null || true'],
      });
      const before = await listFiles(instance);
      for (const phase of ['build', 'validate'] as const)
        await runComponentsPhase({
          instance,
          components,
          phase,
          logDir: ctx.logDir,
          signal: ctx.signal,
          onEvent: ctx.onEvent,
        });
      const captured = await confined(ctx, 'VM capture', (run) => captureChanges(instance, before, upper, dir, run));
      ctx.onEvent({
        type: 'log',
        line: `captured the VM's changes: ${captured.changed} new or changed entries, ${captured.removed} removed`,
      });
      failed = false;
    } finally {
      // A failed component's VM disk stays in the work dir for `ingot shell` (--keep-on-failure).
      await booted.close(failed && !ctx.signal?.aborted ? { keepDiskAs: keptDisk } : {});
    }
    await rm(disk.path, { force: true });
  } catch (err) {
    ctx.onEvent({ type: 'component', name, phase: 'build', status: 'failed', durationMs: performance.now() - started });
    if (await exists(keptDisk)) ctx.failedInstance = { kind: 'qemu', disk: keptDisk, component: name };
    else await rm(dir, { recursive: true, force: true });
    if (ctx.signal?.aborted) throw new BuildCancelled();
    throw err;
  }
  return storeLayer(ctx, stack, { key, component: name, dir, upper, started });
}

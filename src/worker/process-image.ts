/**
 * @module One build job: moves the image through AWS's states (BUILDING → TESTING →
 * DISTRIBUTING → AVAILABLE, or FAILED/CANCELLED with a reason), runs the engine, distributes,
 * and appends every event to the image's build log.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LayerCache } from '../cache/layer-cache.ts';
import { runBuild } from '../engine/build.ts';
import { formatEvent, type BuildEvent } from '../engine/events.ts';
import { BuildCancelled } from '../engine/failure.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { Image, ImageStatus } from '../model/generated/shapes.ts';
import type { Job, Store } from '../store/types.ts';
import { distributeImage } from './distribute.ts';
import { planFromImage } from './image-plan.ts';
import { imageLogFile, imageOutputDir } from './output-dirs.ts';

/** Abort reasons: the user cancelled the image, or this worker is stopping. */
export const CANCELLED = 'cancelled';
export const SHUTDOWN = 'shutdown';

export interface ProcessContext {
  store: Store;
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache | undefined;
  newInstance?: InstanceFactory;
  signal: AbortSignal;
}

/** Updates the image's state unless it was cancelled meanwhile (a cancel always wins). */
async function setState(store: Store, arn: string, status: ImageStatus, reason?: string, extra: Partial<Image> = {}): Promise<boolean> {
  return store.transaction(async () => {
    const record = await store.resources.get<Image>(arn);
    if (!record || record.doc.state?.status === 'CANCELLED') return false;
    await store.resources.update(arn, { ...record.doc, ...extra, state: reason ? { status, reason } : { status } });
    return true;
  });
}

export async function processImage(ctx: ProcessContext, job: Job): Promise<'succeeded' | 'failed' | 'cancelled'> {
  const arn = job.resourceArn;
  const record = await ctx.store.resources.get<Image>(arn);
  if (!record || record.doc.state?.status === 'CANCELLED') return 'cancelled';
  const logFile = imageLogFile(ctx.home, arn);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  const onEvent = (e: BuildEvent) => {
    log(formatEvent(e));
    if (e.type === 'stage' && e.stage === 'test' && e.status === 'start') void setState(ctx.store, arn, 'TESTING');
  };
  try {
    if (!(await setState(ctx.store, arn, 'BUILDING'))) return 'cancelled';
    log(`build of ${arn} started (job ${job.id}, attempt ${job.attempts})`);
    const request = await planFromImage(ctx.store, ctx.home, record.doc, { account: record.account, region: record.region });
    const outputDir = imageOutputDir(ctx.home, arn);
    const result = await runBuild(request, { home: ctx.home, basesHome: ctx.basesHome, outputDir, cache: ctx.cache, signal: ctx.signal, onEvent, ...(ctx.newInstance ? { newInstance: ctx.newInstance } : {}) });
    if (!(await setState(ctx.store, arn, 'DISTRIBUTING'))) return 'cancelled';
    const outputResources = await distributeImage(ctx.home, record.doc, outputDir, result.manifest, record.account, record.region);
    await setState(ctx.store, arn, 'AVAILABLE', undefined, { outputResources, osVersion: request.parent.type === 'managed' ? (request.parent.base === 'debian-12' ? 'Debian 12' : 'Debian 13') : 'Linux' });
    log(`image ${arn} is AVAILABLE`);
    return 'succeeded';
  } catch (err) {
    if (ctx.signal.aborted && ctx.signal.reason === SHUTDOWN) {
      log('build interrupted: the worker stopped');
      await setState(ctx.store, arn, 'FAILED', 'Interrupted: the Ingot worker stopped during the build');
      return 'failed';
    }
    if (err instanceof BuildCancelled || ctx.signal.aborted) {
      log('build cancelled');
      await setState(ctx.store, arn, 'CANCELLED', 'Cancelled by the user');
      return 'cancelled';
    }
    const reason = err instanceof Error ? err.message : String(err);
    log(`build FAILED: ${reason}`);
    await setState(ctx.store, arn, 'FAILED', reason.slice(0, 1000));
    return 'failed';
  }
}

/**
 * @module One build job: moves the image through AWS's states (BUILDING → TESTING →
 * DISTRIBUTING → AVAILABLE, or FAILED/CANCELLED with a reason), runs the engine, distributes,
 * and appends every event to the image's build log. A job with `payload.mode = 'distribute'`
 * (DistributeImage, RetryImage after a failed distribution) re-uses the build's outputs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerCache } from '../cache/layer-cache.ts';
import { distribute } from '../distribution/distribute.ts';
import { managedBase } from '../bases/catalogue.ts';
import { limitsForInstanceTypes } from '../cgroups/instance-types.ts';
import { instanceDriverFor } from '../instance/qemu/select.ts';
import { runBuild } from '../engine/build.ts';
import type { EvidenceOptions } from '../engine/evidence.ts';
import { resolveFeedPath } from '../findings/feed.ts';
import { signingKeyPath } from '../signing/keys.ts';
import { formatEvent, type BuildEvent } from '../engine/events.ts';
import { BuildCancelled } from '../engine/failure.ts';
import type { InstanceFactory } from '../engine/instance-factory.ts';
import type { OutputManifest } from '../artifacts/manifest.ts';
import type { Distribution, Image, ImageStatus, OutputResources } from '../model/generated/shapes.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { Job, Store } from '../store/types.ts';
import { planFromImage } from './image-plan.ts';
import { imageOutputDir, openImageLog } from '../artifacts/output-dirs.ts';
import { recordPipelineOutcome } from '../images/pipeline-outcome.ts';
import { checkFreeSpace } from './free-space.ts';

/** Abort reasons: the user cancelled the image, or this worker is stopping. */
export const CANCELLED = 'cancelled';
export const SHUTDOWN = 'shutdown';

export type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface ProcessContext {
  store: Store;
  home: string;
  basesHome?: string | undefined;
  cache: LayerCache | undefined;
  newInstance?: InstanceFactory;
  config: () => IngotConfig;
  signal: AbortSignal;
}

/** Updates the image's state unless it was cancelled meanwhile (a cancel always wins). */
export async function setState(
  store: Store,
  arn: string,
  status: ImageStatus,
  reason?: string,
  extra: Partial<Image> = {},
): Promise<boolean> {
  const changed = await store.transaction(async () => {
    const record = await store.resources.get<Image>(arn);
    if (!record || record.doc.state?.status === 'CANCELLED') return undefined;
    const doc: Image = { ...record.doc, ...extra, state: reason ? { status, reason } : { status } };
    await store.resources.update(arn, doc);
    return doc;
  });
  if (changed && ['AVAILABLE', 'FAILED', 'CANCELLED'].includes(status))
    await recordPipelineOutcome(store, changed, status);
  return changed !== undefined;
}

async function buildOutputs(
  ctx: ProcessContext,
  record: { doc: Image; account: string; region: string },
  job: Job,
  log: (l: string) => void,
): Promise<{ manifest: OutputManifest; osVersion: string }> {
  const arn = record.doc.arn!;
  const outputDir = imageOutputDir(ctx.home, arn);
  if (job.payload['mode'] === 'distribute') {
    const manifest = JSON.parse(await readFile(join(outputDir, 'manifest.json'), 'utf8')) as OutputManifest;
    log('distributing the existing build outputs (no rebuild)');
    return { manifest, osVersion: record.doc.osVersion ?? 'Linux' };
  }
  await checkFreeSpace(ctx.home);
  const onEvent = (e: BuildEvent) => {
    log(formatEvent(e));
    if (e.type === 'stage' && e.stage === 'test' && e.status === 'start') void setState(ctx.store, arn, 'TESTING');
  };
  const request = await planFromImage(ctx.store, ctx.home, record.doc, {
    account: record.account,
    region: record.region,
  });
  // The infrastructure configuration's instance types set the instance's CPU, memory and process limits.
  const { instanceType, ...limits } = limitsForInstanceTypes(record.doc.infrastructureConfiguration?.instanceTypes);
  const driver = instanceDriverFor(record.doc.infrastructureConfiguration);
  const vm = driver.driver === 'qemu' ? { cpus: driver.cpus, memoryMiB: driver.memoryMiB } : undefined;
  const inVm = vm && request.kind === 'image';
  onEvent({
    type: 'log',
    line: `${inVm ? 'sandbox steps' : 'build instance'}: ${instanceType} (${limits.cpus} CPUs, ${limits.memoryMiB} MiB, ${limits.pids} processes)`,
  });
  if (inVm && driver.driver === 'qemu')
    onEvent({
      type: 'log',
      line: `build instance: qemu VM ${driver.instanceType} (${driver.cpus} vCPUs, ${driver.memoryMiB} MiB)`,
    });
  const result = await runBuild(request, {
    home: ctx.home,
    basesHome: ctx.basesHome,
    outputDir,
    cache: ctx.cache,
    cacheScope: record.account,
    signal: ctx.signal,
    onEvent,
    limits,
    vm,
    timeoutMs: buildTimeoutMs(),
    evidence: await evidenceFor(ctx.home, record.doc),
    ...(ctx.newInstance ? { newInstance: ctx.newInstance } : {}),
  });
  const osVersion =
    request.parent.type === 'managed' ? (managedBase(request.parent.base)?.osVersion ?? 'Linux') : 'Linux';
  return { manifest: result.manifest, osVersion };
}

/** Merges a DistributeImage's copies into the outputs the image already has. */
function merged(before: OutputResources | undefined, added: OutputResources, replace: boolean): OutputResources {
  if (replace || !before) return added;
  const amis = [
    ...(before.amis ?? []).filter((a) => !added.amis?.some((b) => b.region === a.region)),
    ...(added.amis ?? []),
  ];
  const containers = [
    ...(before.containers ?? []).filter((a) => !added.containers?.some((b) => b.region === a.region)),
    ...(added.containers ?? []),
  ];
  return { ...(amis.length ? { amis } : {}), ...(containers.length ? { containers } : {}) };
}

export async function processImage(ctx: ProcessContext, job: Job): Promise<Outcome> {
  const arn = job.resourceArn;
  const record = await ctx.store.resources.get<Image>(arn);
  if (!record || record.doc.state?.status === 'CANCELLED') return 'cancelled';
  const log = openImageLog(ctx.home, arn);
  const distributeOnly = job.payload['mode'] === 'distribute';
  try {
    if (!(await setState(ctx.store, arn, distributeOnly ? 'DISTRIBUTING' : 'BUILDING'))) return 'cancelled';
    log(
      `${distributeOnly ? 'distribution' : 'build'} of ${arn} started (job ${job.id}, attempt ${job.attempts} of ${job.maxAttempts}, worker pid ${process.pid})`,
    );
    const { manifest, osVersion } = await buildOutputs(ctx, record, job, log);
    if (!(await setState(ctx.store, arn, 'DISTRIBUTING'))) return 'cancelled';
    const distributions = job.payload['distributions'] as Distribution[] | undefined;
    const outputResources = await distribute({
      home: ctx.home,
      config: ctx.config(),
      image: record.doc,
      outputDir: imageOutputDir(ctx.home, arn),
      manifest,
      account: record.account,
      region: record.region,
      signal: ctx.signal,
      ...(distributions ? { distributions } : {}),
    });
    await setState(ctx.store, arn, 'AVAILABLE', undefined, {
      outputResources: merged(record.doc.outputResources, outputResources, !distributions),
      osVersion,
    });
    log(`image ${arn} is AVAILABLE`);
    return 'succeeded';
  } catch (err) {
    return settleFailedJob(ctx, job, err, log, 'build');
  }
}

/**
 * The end of a job that threw: the worker stopping (retried while attempts are left, else
 * FAILED), a cancel (CANCELLED), or a failure (FAILED with the reason). Shared by builds and imports.
 */
export async function settleFailedJob(
  ctx: ProcessContext,
  job: Job,
  err: unknown,
  log: (line: string) => void,
  work: 'build' | 'import',
): Promise<Outcome> {
  const arn = job.resourceArn;
  if (ctx.signal.aborted && ctx.signal.reason === SHUTDOWN) {
    log(`${work} interrupted: the worker stopped`);
    if (job.attempts < job.maxAttempts) return 'interrupted';
    await setState(ctx.store, arn, 'FAILED', `Interrupted: the Ingot worker stopped during the ${work}`);
    return 'failed';
  }
  if (err instanceof BuildCancelled || ctx.signal.aborted) {
    log(`${work} cancelled`);
    await setState(ctx.store, arn, 'CANCELLED', 'Cancelled by the user');
    return 'cancelled';
  }
  const reason = err instanceof Error ? err.message : String(err);
  log(`FAILED: ${reason}`);
  await setState(ctx.store, arn, 'FAILED', reason.slice(0, 1000));
  return 'failed';
}

/** A build that runs longer than this fails (`INGOT_BUILD_TIMEOUT_MINUTES`, default 240). */
function buildTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const minutes = Number(env['INGOT_BUILD_TIMEOUT_MINUTES'] ?? 240);
  return (Number.isFinite(minutes) && minutes > 0 ? minutes : 240) * 60_000;
}

/**
 * What evidence an API build gathers: findings when a tracker feed is configured
 * (INGOT_SECURITY_FEED or an imported feed), a signature when INGOT_SIGNING_KEY is set; the
 * infrastructure configuration's resource tags `ingot:compliance` (an SSG profile, e.g.
 * cis_level1_server) and `ingot:fail-on-severity` (e.g. HIGH) ask for compliance scores and a
 * findings gate.
 */
async function evidenceFor(home: string, image: Image): Promise<EvidenceOptions> {
  const tags = image.infrastructureConfiguration?.resourceTags ?? {};
  return {
    findingsFeed: await resolveFeedPath(home),
    failOnSeverity: tags['ingot:fail-on-severity'],
    complianceProfile: tags['ingot:compliance'],
    signingKey: signingKeyPath(),
  };
}

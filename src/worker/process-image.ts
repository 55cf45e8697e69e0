/**
 * @module The build and distribute jobs: move the image through its states (BUILDING → TESTING →
 * DISTRIBUTING → AVAILABLE, or FAILED/CANCELLED with a structured failure) while its BUILD, TEST
 * and DISTRIBUTION workflows run (workflows/), and append every event to the image's build log. A
 * distribute job (DistributeImage, RetryImage after a failed distribution) re-uses the build's
 * outputs and runs only the DISTRIBUTION workflow.
 */
import { dropJournal } from '../distribution/journal.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { distribute } from '../distribution/distribute.ts';
import type { StageGate } from '../engine/stage-gate.ts';
import { engineError, runBuildAndTests, systemVariables } from './workflows/build-run.ts';
import { workflowPlan } from './workflows/plan.ts';
import { runWorkflow, settleStaleExecutions } from './workflows/run-workflow.ts';
import { StepFailed } from './workflows/step-actions.ts';
import { managedBase } from '../bases/catalogue.ts';
import { diskQuotaOf, instancePlan, settingsBuildOptions } from '../engine/build-settings.ts';
import { runBuild } from '../engine/build.ts';
import type { EvidenceOptions } from '../engine/evidence.ts';
import { resolveFeedPath } from '../findings/feed.ts';
import { formatEvent, type BuildEvent } from '../engine/events.ts';
import type { OutputManifest } from '../artifacts/manifest.ts';
import type { Image, OutputResources } from '../model/generated/shapes.ts';
import type { JobOf } from '../queue/job-kinds.ts';
import { checkFreeSpace } from './free-space.ts';
import { planFromImage } from './image-plan.ts';
import { imageOutputDir } from '../artifacts/output-dirs.ts';
import type { ProcessContext, Outcome } from './context.ts';
import { settleFailedJob } from './settle.ts';
import type { BuildSettings } from '../config/settings.ts';

/** The outputs an earlier run built (a distribution-only run re-uses them). */
async function existingOutputs(ctx: ProcessContext, doc: Image): Promise<BuiltOutputs> {
  const dir = imageOutputDir(ctx.home, doc.arn!);
  const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => {
    throw new Error(
      `the outputs of ${doc.arn} are not in this data directory (${dir}): a distribution-only run needs the data directory that built the image`,
    );
  });
  const manifest = JSON.parse(text) as OutputManifest;
  return { manifest, osVersion: doc.osVersion ?? 'Linux' };
}

interface BuiltOutputs {
  manifest: OutputManifest;
  osVersion: string;
}

/** Runs the engine; its stages wait at `gate` for the workflow steps that run them. */
async function buildOutputs(
  ctx: ProcessContext,
  record: { doc: Image; account: string; region: string },
  log: (l: string) => void,
  gate: StageGate,
  testsInPlan: boolean,
): Promise<BuiltOutputs> {
  const arn = record.doc.arn!;
  const outputDir = imageOutputDir(ctx.home, arn);
  await checkFreeSpace(ctx.home, ctx.settings?.minFreeGib);
  const onEvent = (e: BuildEvent) => {
    log(formatEvent(e));
    if (e.type === 'stage' && e.status === 'end' && e.durationMs !== undefined)
      ctx.metrics?.stageSeconds.observe({ stage: e.stage }, e.durationMs / 1000);
    if (e.type === 'stage' && e.stage === 'test' && e.status === 'start')
      ctx.store
        .setImageState(arn, 'TESTING')
        .catch((err: unknown) => log(`state TESTING not recorded: ${String(err)}`));
  };
  const planned = await planFromImage(
    ctx.store,
    ctx.home,
    record.doc,
    { account: record.account, region: record.region },
    ctx.settings?.imageFormats,
  );
  // The test phases run when a TEST workflow has an ExecuteComponents step.
  const request = { ...planned, runTests: planned.runTests && testsInPlan };
  // The infrastructure configuration's instance types set the instance's CPU, memory and process limits.
  const { instanceType, limits, driver, vm } = instancePlan(record.doc.infrastructureConfiguration);
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
    ...(networkFor(record.doc) === 'host' ? { network: 'host' as const } : {}),
    ...settingsBuildOptions(ctx.settings ?? {}),
    ...diskQuotaOption(record.doc),
    evidence: await evidenceFor(ctx.home, record.doc, ctx.settings ?? {}),
    ...(ctx.newInstance ? { newInstance: ctx.newInstance } : {}),
    gate,
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

/** An image-build job: build, test and distribute the image. */
export function processBuild(ctx: ProcessContext, job: JobOf<'image-build'>): Promise<Outcome> {
  return processImage(ctx, job);
}

/** An image-distribute job: distribute the existing outputs (to `distributions`, else the image's own configuration). */
export function processDistribute(ctx: ProcessContext, job: JobOf<'image-distribute'>): Promise<Outcome> {
  return processImage(ctx, job);
}

async function processImage(ctx: ProcessContext, job: JobOf<'image-build' | 'image-distribute'>): Promise<Outcome> {
  const arn = job.resourceArn;
  const record = await ctx.store.resources.get<Image>(arn);
  if (!record || record.doc.state?.status === 'CANCELLED') return 'cancelled';
  const log = ctx.store.openLog(arn);
  const distributeOnly = job.kind === 'image-distribute';
  try {
    if (!(await ctx.store.setImageState(arn, distributeOnly ? 'DISTRIBUTING' : 'BUILDING'))) return 'cancelled';
    log(
      `${distributeOnly ? 'distribution' : 'build'} of ${arn} started (job ${job.id}, attempt ${job.attempts} of ${job.maxAttempts}, worker pid ${process.pid})`,
    );
    const plan = await workflowPlan(ctx.store, record.doc, record.region);
    const distributions = job.kind === 'image-distribute' ? job.payload.distributions : undefined;
    let built: BuiltOutputs | undefined;
    let outputResources: OutputResources | undefined;
    const retried = (await ctx.store.workflowExecutions.executionsOfImage(arn)).length > 0;
    await settleStaleExecutions(ctx.store, arn);
    const run = {
      store: ctx.store,
      imageArn: arn,
      account: record.account,
      signal: ctx.signal,
      workflowOutputs: {},
      imagebuilder: systemVariables(record.doc),
      retried,
    };
    const actions = (gate: StageGate | undefined) => ({
      gate,
      imageArn: arn,
      log,
      osVersion: () => built?.osVersion ?? record.doc.osVersion ?? 'Linux',
      distribute: async (given?: unknown[]) => {
        if (!built) throw new StepFailed('DistributeImage runs after the image is built');
        const chosen = (given as typeof distributions) ?? distributions;
        const out = await distribute({
          home: ctx.home,
          config: ctx.config(),
          image: record.doc,
          outputDir: imageOutputDir(ctx.home, arn),
          manifest: built.manifest,
          account: record.account,
          region: record.region,
          signal: ctx.signal,
          log,
          ...(chosen ? { distributions: chosen } : {}),
        });
        outputResources = merged(outputResources, out, false);
        return out;
      },
    });
    if (distributeOnly) {
      log('distributing the existing build outputs (no rebuild)');
      built = await existingOutputs(ctx, record.doc);
    } else
      built = await runBuildAndTests(plan, log, run, actions, (gate, testsInPlan) =>
        buildOutputs(ctx, record, log, gate, testsInPlan),
      );
    // Before AVAILABLE: the package list and findings are in the store, for every API server.
    if (!distributeOnly) await ctx.store.keepDocuments(arn, imageOutputDir(ctx.home, arn));
    if (!(await ctx.store.setImageState(arn, 'DISTRIBUTING'))) return 'cancelled';
    for (const w of plan.filter((p) => p.type === 'DISTRIBUTION'))
      await runWorkflow(w, { ...run, actions: actions(undefined) });
    await ctx.store.setImageState(arn, 'AVAILABLE', undefined, {
      outputResources: merged(record.doc.outputResources, outputResources ?? {}, !distributions),
      osVersion: built.osVersion,
    });
    await dropJournal(ctx.home, arn); // the distribution is settled: nothing to undo after a crash now
    log(`image ${arn} is AVAILABLE`);
    return 'succeeded';
  } catch (err) {
    return settleFailedJob(ctx, job, engineError(err), log, 'build');
  }
}

/** The infrastructure configuration's `ingot:disk-quota-gib` tag, when it has one, overrides INGOT_BUILD_DISK_QUOTA_GIB. */
function diskQuotaOption(image: Image): { diskQuotaBytes?: number } {
  const bytes = diskQuotaOf(image.infrastructureConfiguration);
  return bytes === undefined ? {} : { diskQuotaBytes: bytes };
}

/** The `ingot:network` resource tag of the infrastructure configuration: `host` opts in to the host's network. */
function networkFor(image: Image): 'isolated' | 'host' {
  return image.infrastructureConfiguration?.resourceTags?.['ingot:network'] === 'host' ? 'host' : 'isolated';
}

/**
 * What evidence an API build gathers: findings when a tracker feed is configured
 * (INGOT_SECURITY_FEED or an imported feed), a signature when INGOT_SIGNING_KEY is set; the
 * infrastructure configuration's resource tags `ingot:compliance` (an SSG profile, e.g.
 * cis_level1_server) and `ingot:fail-on-severity` (e.g. HIGH) ask for compliance scores and a
 * findings gate.
 */
async function evidenceFor(
  home: string,
  image: Image,
  settings: Partial<Pick<BuildSettings, 'securityFeed' | 'signingKey'>>,
): Promise<EvidenceOptions> {
  const tags = image.infrastructureConfiguration?.resourceTags ?? {};
  return {
    findingsFeed: await resolveFeedPath(home, settings.securityFeed),
    failOnSeverity: tags['ingot:fail-on-severity'],
    complianceProfile: tags['ingot:compliance'],
    signingKey: settings.signingKey,
  };
}

/**
 * @module The worker's part of ImportDiskImage: the job of an imported image copies the disk's
 * root file system into the image's output directory as `rootfs.tar.zst` (what a later recipe
 * with this image as `parentImage` unpacks), writes `manifest.json`, distributes it like a build's
 * outputs (its own region's site) and moves the image BUILDING → DISTRIBUTING → AVAILABLE, or
 * FAILED with the reason.
 */
import { dropJournal } from '../distribution/journal.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { importDisk } from '../disk/import.ts';
import { distribute } from '../distribution/distribute.ts';
import { sha256File, writeManifest, type OutputManifest } from '../artifacts/manifest.ts';
import type { Image } from '../model/generated/shapes.ts';
import type { JobOf } from '../queue/job-kinds.ts';
import { imageOutputDir } from '../artifacts/output-dirs.ts';
import type { JobStore } from './job-store.ts';
import type { Outcome, ProcessContext } from './context.ts';
import { ImportFailed, settleFailedJob } from './settle.ts';

/** The disk an import job reads: its own payload's, or (RetryImage) the first import job's. */
async function diskOf(store: JobStore, job: JobOf<'image-import'>): Promise<string> {
  const own = job.payload.uri;
  if (typeof own === 'string') return own;
  const first = (await store.jobs.byResource(job.resourceArn)).find((j) => typeof j.payload['uri'] === 'string');
  if (!first)
    throw new IngotError(
      'not-found',
      `no disk is recorded for the import ${job.resourceArn}; import it again with ImportDiskImage`,
    );
  return first.payload['uri'] as string;
}

/** An image-import job: the disk's root file system becomes the image's output, then it is distributed. */
export async function processImport(ctx: ProcessContext, job: JobOf<'image-import'>): Promise<Outcome> {
  const arn = job.resourceArn;
  const record = await ctx.store.resources.get<Image>(arn);
  if (!record || record.doc.state?.status === 'CANCELLED') return 'cancelled';
  const log = ctx.store.openLog(arn);
  try {
    if (!(await ctx.store.setImageState(arn, 'BUILDING'))) return 'cancelled';
    const disk = await diskOf(ctx.store, job);
    log(
      `import of ${disk} as ${arn} started (job ${job.id}, attempt ${job.attempts} of ${job.maxAttempts}, worker pid ${process.pid})`,
    );
    const outputDir = imageOutputDir(ctx.home, arn);
    const started = Date.now();
    const imported = await importDisk(disk, outputDir, ctx.signal).catch((err: unknown) => {
      throw new ImportFailed(disk, err instanceof Error ? err.message : String(err));
    });
    ctx.signal.throwIfAborted();
    const seconds = Math.round((Date.now() - started) / 10) / 100;
    log(
      `read the ${imported.sourceFormat} disk (root file system at byte offset ${imported.partitionOffset}) into rootfs.tar.zst in ${seconds} s`,
    );
    const manifest = await writeImportManifest(outputDir, record.doc, `${imported.sourceFormat} disk ${disk}`, seconds);
    if (!(await ctx.store.setImageState(arn, 'DISTRIBUTING'))) return 'cancelled';
    const outputResources = await distribute({
      home: ctx.home,
      config: ctx.config(),
      image: record.doc,
      outputDir,
      manifest,
      account: record.account,
      region: record.region,
      signal: ctx.signal,
      log,
    });
    await ctx.store.setImageState(arn, 'AVAILABLE', undefined, { outputResources });
    await dropJournal(ctx.home, arn); // the distribution is settled: nothing to undo after a crash now
    log(`image ${arn} is AVAILABLE`);
    return 'succeeded';
  } catch (err) {
    return settleFailedJob(ctx, job, err, log, 'import');
  }
}

async function writeImportManifest(
  outputDir: string,
  image: Image,
  parent: string,
  seconds: number,
): Promise<OutputManifest> {
  const file = join(outputDir, 'rootfs.tar.zst');
  const manifest: OutputManifest = {
    name: image.name!,
    version: image.version!,
    kind: 'image',
    createdAt: new Date().toISOString(),
    parent,
    artifacts: [
      {
        path: 'rootfs.tar.zst',
        format: 'rootfs-tar-zstd',
        sha256: await sha256File(file),
        sizeBytes: (await stat(file)).size,
      },
    ],
    layers: [],
    stages: { import: seconds },
    tests: 'skipped',
  };
  await writeManifest(outputDir, manifest);
  return manifest;
}

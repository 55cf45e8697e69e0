/**
 * @module The kinds of queued jobs, each with its typed payload (a discriminated union on `kind`).
 * Services enqueue them, the worker claims them and dispatches on `kind`; both import from here.
 */
import type { Distribution } from '../model/generated/shapes.ts';
import type { Job } from '../store/types.ts';

/** Who asked for the job (every payload has it). */
export interface JobOrigin {
  accountId: string;
  region: string;
}

/** The payload of each job kind. */
export interface JobPayloads {
  /** Builds the image from its recipe, tests it, distributes it. */
  'image-build': JobOrigin;
  /** Imports a disk's root file system as the image (ImportDiskImage); no `uri` on a RetryImage: the first import's disk. */
  'image-import': JobOrigin & { uri?: string; format?: string };
  /**
   * Distributes the existing build outputs again, no rebuild: to `distributions` (DistributeImage, the copies are
   * added to the image's outputs) or, without them, to the image's own configuration (RetryImage after a failed
   * distribution, the outputs are replaced).
   */
  'image-distribute': JobOrigin & { distributions?: Distribution[] };
}

export type JobKind = keyof JobPayloads;

export const JOB_KINDS: readonly JobKind[] = ['image-build', 'image-import', 'image-distribute'];

/** A stored job with its kind's payload type. */
export type TypedJob = {
  [K in JobKind]: Omit<Job, 'kind' | 'payload'> & { kind: K; payload: JobPayloads[K] };
}[JobKind];

/** A job of one kind. */
export type JobOf<K extends JobKind> = Extract<TypedJob, { kind: K }>;

/** What a service asks for: a kind, its payload and the resource the job works on. */
export type JobRequest = {
  [K in JobKind]: { kind: K; resourceArn: string; payload: JobPayloads[K]; id?: string; maxAttempts?: number };
}[JobKind];

/**
 * The one kind of every job queued before job kinds existed (databases written by older versions): a payload
 * `mode` of 'import' or 'distribute' says what it was; without one, an image of `IMPORT_BUILD_TYPE` was an import.
 */
export const LEGACY_BUILD_KIND = 'build-image';

/** The `buildType` of images made by ImportDiskImage (the AWS value). */
export const IMPORT_BUILD_TYPE = 'IMPORT_ISO';

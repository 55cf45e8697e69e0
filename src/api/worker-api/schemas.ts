/**
 * @module The request bodies of the worker API (valibot): a bad body is a 400 naming the field.
 */
import * as v from 'valibot';
import { IMAGE_DOCUMENTS, IMAGE_DOCUMENT_MAX_BYTES } from '../../artifacts/image-documents.ts';
import { RESOURCE_TYPES } from '../../store/types.ts';

/** Worker ids name leases: printable, no `inproc:` (the embedded worker's prefix). */
const workerId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -'),
  v.check((s) => !s.startsWith('inproc:'), "must not start with 'inproc:'"),
);

export const LabelsSchema = v.object({
  arch: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
  kvm: v.boolean(),
  instanceTypes: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(256)),
  freeGib: v.pipe(v.number(), v.minValue(0)),
});

/**
 * Every job whose lease the worker holds (running, or handed over and not started yet): a job
 * leased to it that is not among them was handed over in an answer it never got (see rehand.ts).
 */
const KnownSchema = v.pipe(v.array(v.pipe(v.string(), v.maxLength(128))), v.maxLength(1024));

export const ClaimSchema = v.object({
  workerId,
  labels: LabelsSchema,
  /** How long to wait for a job (long poll), seconds; at most 30. */
  waitSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(30))),
  /** Jobs this worker runs now (shown by `ingot workers`). */
  running: v.optional(v.array(v.string())),
  known: v.optional(KnownSchema),
  /** Free slots: up to this many jobs in one answer (the first as `job`, the others in `also`); default 1. */
  max: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64))),
});

export const WorkerSchema = v.object({ workerId });

export const ReadSchema = v.object({
  workerId,
  op: v.picklist(['get', 'versions', 'isSharedWith', 'byResource']),
  arn: v.optional(v.string()),
  type: v.optional(v.picklist(RESOURCE_TYPES)),
  accounts: v.optional(v.array(v.string())),
  region: v.optional(v.string()),
  name: v.optional(v.string()),
  account: v.optional(v.string()),
});

export const StateSchema = v.object({
  workerId,
  arn: v.string(),
  status: v.string(),
  reason: v.optional(v.string()),
  extra: v.optional(
    v.object({
      outputResources: v.optional(v.record(v.string(), v.unknown())),
      osVersion: v.optional(v.string()),
      failure: v.optional(v.record(v.string(), v.unknown())),
    }),
  ),
});

export const LogSchema = v.object({
  workerId,
  lines: v.pipe(v.array(v.pipe(v.string(), v.maxLength(65_536))), v.maxLength(5000)),
});

/** One document of the job's image (manifest, SBOM, findings), at most IMAGE_DOCUMENT_MAX_BYTES. */
export const DocumentSchema = v.object({
  workerId,
  name: v.picklist(IMAGE_DOCUMENTS),
  body: v.pipe(
    v.string(),
    v.check(
      (s) => Buffer.byteLength(s) <= IMAGE_DOCUMENT_MAX_BYTES,
      `must be at most ${IMAGE_DOCUMENT_MAX_BYTES} bytes`,
    ),
  ),
});

export const ResultSchema = v.object({
  workerId,
  /** `unstarted`: a job claimed but never run goes back to the queue, its attempt not counted. */
  outcome: v.picklist(['succeeded', 'failed', 'cancelled', 'interrupted', 'unstarted']),
  /** The worker's labels when it wants its next job in the answer (a claim without waiting). */
  next: v.optional(
    v.object({ labels: LabelsSchema, running: v.optional(v.array(v.string())), known: v.optional(KnownSchema) }),
  ),
});

/** Parses `body` or throws a message naming the first bad field. */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, body);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  throw new BadBody(`${path ? `${path}: ` : ''}${issue.message}`);
}

export class BadBody extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadBody';
  }
}

const executionRecord = v.looseObject({
  id: v.pipe(v.string(), v.maxLength(128)),
  imageArn: v.string(),
  workflowArn: v.string(),
  account: v.string(),
  status: v.pipe(v.string(), v.maxLength(32)),
  doc: v.record(v.string(), v.unknown()),
  startedAt: v.string(),
});

/** A build host's workflow execution records: only those of its job's own image. */
export const WorkflowSchema = v.object({
  workerId,
  op: v.picklist(['putExecution', 'getExecution', 'executionsOfImage', 'putStep', 'getStep', 'stepsOfExecution']),
  id: v.optional(v.pipe(v.string(), v.maxLength(128))),
  record: v.optional(executionRecord),
});

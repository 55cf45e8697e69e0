/**
 * @module The storage contract. Services talk only to `Store`; the embedded implementation is
 * SQLite (`./sqlite/`), the one for several servers PostgreSQL (`./postgres/`).
 */

import type {
  AuditRepository,
  EventRepository,
  LifecycleExecutionRepository,
  ScheduleRepository,
  WorkflowExecutionRepository,
} from './ops-types.ts';

export type * from './ops-types.ts';

/** Kinds of Image Builder resources, as they appear in ARNs. */
export const RESOURCE_TYPES = [
  'component',
  'image-recipe',
  'container-recipe',
  'infrastructure-configuration',
  'distribution-configuration',
  'image-pipeline',
  'image',
  'lifecycle-policy',
  'workflow',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** One stored resource: indexed columns plus the API-shaped document. */
export interface ResourceRecord<Doc = Record<string, unknown>> {
  arn: string;
  type: ResourceType;
  /** Owning account id, or 'aws' for managed resources. */
  account: string;
  region: string;
  name: string;
  /** Semantic version `x.y.z` for versioned resources, null otherwise. */
  version: string | null;
  /** Build number for components and images, null otherwise. */
  build: number | null;
  doc: Doc;
  createdAt: string;
  updatedAt: string;
}

export interface ResourceQuery {
  type: ResourceType;
  region: string;
  /** Accounts whose resources are visible (owner filter already applied). */
  accounts: readonly string[];
  /** Only these ARNs (resources shared with the caller), in addition to `accounts`. */
  alsoArns?: readonly string[];
  name?: string;
  version?: string;
  /** Keyset pagination: return rows strictly after this sort key. */
  after?: string;
  limit: number;
  /** One row per (account, name, version): the newest build only. */
  latestBuildOnly?: boolean;
  /**
   * Predicates on the document, applied in the store (e.g. API filters): the value at `path` is one
   * of `values`; a path ending in `[*]` names an array, any of whose elements may match.
   */
  where?: { path: string; values: readonly string[] }[];
}

export interface ResourcePage<Doc> {
  items: ResourceRecord<Doc>[];
  /** Sort key of the last item when more may follow. */
  nextAfter: string | undefined;
}

/** A page of documents only, each as its JSON text (what `ResourceRecord.doc` holds, serialised). */
export interface ResourceDocumentPage {
  docs: string[];
  /** Each document's sort key (same order): a short key to memoise shaped items by. */
  keys: string[];
  /** Sort key of the last item when more may follow. */
  nextAfter: string | undefined;
}

/** Sort keys from `from` (included) up to `to` (excluded). */
export type SortKeyRange = readonly [from: string, to: string];

export interface ResourceRepository {
  get<Doc = Record<string, unknown>>(arn: string): Promise<ResourceRecord<Doc> | undefined>;
  /** Inserts; throws `DuplicateKeyError` when the ARN exists. */
  insert<Doc>(record: ResourceRecord<Doc>): Promise<void>;
  /** Replaces the document of an existing record. */
  update<Doc>(arn: string, doc: Doc): Promise<void>;
  delete(arn: string): Promise<boolean>;
  list<Doc = Record<string, unknown>>(query: ResourceQuery): Promise<ResourcePage<Doc>>;
  /**
   * The same page as `list`, documents only and unparsed: the List* operations' path, which
   * needs nothing else and shapes (and may memoise) each item from the text.
   */
  listDocuments(query: ResourceQuery): Promise<ResourceDocumentPage>;
  /**
   * Highest build number (account, region, type, name, version) ever had, deleted builds included; 0
   * when none. Inside a transaction the version's numbers stay held until it ends (no other writer
   * can take the next number meanwhile).
   */
  maxBuild(type: ResourceType, account: string, region: string, name: string, version: string): Promise<number>;
  /** Every stored version of a name, for `x` wildcard resolution. */
  versions(
    type: ResourceType,
    accounts: readonly string[],
    region: string,
    name: string,
  ): Promise<{ arn: string; account: string; version: string; build: number | null }[]>;
  /**
   * For each range of sort keys (`from` included, `to` excluded), the ARN of the resource of `type` in
   * `region` with the highest sort key in it (undefined when none): the newest version and build
   * under a sort-key prefix, found by one index seek per range whatever the number of builds.
   */
  newestInRanges(type: ResourceType, region: string, ranges: readonly SortKeyRange[]): Promise<(string | undefined)[]>;
  /**
   * `get(arn)` and `newestInRanges` of the resource's own type and region in one round trip (the
   * Get* operations' path: the resource and its latestVersionReferences); undefined when no
   * resource has that ARN.
   */
  getWithNewest<Doc>(
    arn: string,
    ranges: readonly SortKeyRange[],
  ): Promise<{ record: ResourceRecord<Doc>; newest: (string | undefined)[] } | undefined>;
  /** Resources that reference `arn` (recorded with `setReferences`), for in-use checks. */
  referencing(arn: string): Promise<{ arn: string; type: ResourceType }[]>;
  /** Record that `fromArn` references each of `toArns` (for in-use checks). */
  setReferences(fromArn: string, toArns: readonly string[]): Promise<void>;
  count(type: ResourceType, region?: string): Promise<number>;
  /** Every resource of a type in every account and region (scheduler, lifecycle). */
  allOfType<Doc = Record<string, unknown>>(type: ResourceType): Promise<ResourceRecord<Doc>[]>;
}

export interface ShareRepository {
  /** Replaces the accounts a resource is shared with. */
  setShares(arn: string, accounts: readonly string[], policy: string): Promise<void>;
  getPolicy(arn: string): Promise<string | undefined>;
  /** ARNs of `type` in `region` shared with `account`. */
  sharedWith(account: string, type: ResourceType, region: string): Promise<string[]>;
  isSharedWith(arn: string, account: string): Promise<boolean>;
}

export interface IdempotencyRecord {
  requestHash: string;
  response: unknown;
}

export interface IdempotencyRepository {
  get(scope: string, clientToken: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Inside a transaction: holds the token until the transaction ends, so a request with the same
   * token through another server waits and then finds the first one's record.
   */
  lock(scope: string, clientToken: string): Promise<void>;
  put(scope: string, clientToken: string, record: IdempotencyRecord): Promise<void>;
}

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface CredentialRepository {
  get(accessKeyId: string): Promise<Credential | undefined>;
  put(credential: Credential): Promise<void>;
  list(): Promise<Credential[]>;
}

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface Job {
  id: string;
  kind: string;
  resourceArn: string;
  payload: Record<string, unknown>;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  /** Epoch ms after which a running job's lease has expired and another worker may take it. */
  leaseExpiresAt: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface JobQueue {
  enqueue(job: {
    id: string;
    kind: string;
    resourceArn: string;
    payload?: Record<string, unknown>;
    maxAttempts?: number;
  }): Promise<Job>;
  /**
   * Atomically takes the oldest runnable job (queued, or running with an expired lease); with `onlyIds`,
   * only one of those jobs (a remote worker's claim after matching its labels, see `claimable`).
   */
  claim(
    workerId: string,
    leaseMs: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job | undefined>;
  /**
   * Like `claim`, up to `limit` jobs in one statement (a build host with several free slots), oldest
   * first; none of them is taken by any other claim, however many run at once.
   */
  claimBatch(
    workerId: string,
    leaseMs: number,
    limit: number,
    kinds?: readonly string[],
    onlyIds?: readonly string[],
  ): Promise<Job[]>;
  /** The oldest runnable jobs of `kinds` (what `claim` would take next), at most `limit`, oldest first. */
  claimable(kinds: readonly string[], limit: number): Promise<Job[]>;
  /**
   * Extends the lease; false when the job is no longer this worker's. With `liveAt` (the worker
   * API's clock), only a lease that has not expired by then is extended: one statement, no read.
   */
  heartbeat(jobId: string, workerId: string, leaseMs: number, liveAt?: number): Promise<boolean>;
  finish(jobId: string, workerId: string, state: 'succeeded' | 'failed' | 'cancelled', error?: string): Promise<void>;
  /**
   * The worker API's result in one statement: ends the job as `state` only while `workerId` holds
   * it with a lease not expired at `now` (or it was cancelled: its worker may still report the
   * end). False when it does not (the caller reads the job to say why).
   */
  finishLeased(
    jobId: string,
    workerId: string,
    state: 'succeeded' | 'failed' | 'cancelled',
    now: number,
  ): Promise<boolean>;
  /**
   * Puts a job `workerId` claimed but never started back in the queue, its attempt not counted
   * (a worker that stops, or a next job handed over with a result, before it ran); false when the
   * job is not that worker's running job any more.
   */
  unclaim(jobId: string, workerId: string): Promise<boolean>;
  /** Puts a claimed job back in the queue (e.g. for a retry). */
  release(jobId: string, workerId: string, error: string): Promise<void>;
  /** Cancels a queued or running job; a running job's worker sees it at its next heartbeat. */
  cancel(jobId: string, reason: string): Promise<boolean>;
  get(jobId: string): Promise<Job | undefined>;
  byResource(resourceArn: string): Promise<Job[]>;
  /** Every job in state running: whoever holds it, or only those leased to `leaseOwner`. */
  runningJobs(leaseOwner?: string): Promise<Job[]>;
  /** How many jobs are in each state (the queue depth metric). */
  countByState(): Promise<Partial<Record<JobState, number>>>;
  /** Marks running jobs whose lease expired and that have no attempts left as failed; returns them. */
  failExpired(now: number): Promise<Job[]>;
  /**
   * Calls `onQueued` soon after a job is queued (or put back) by another process or replica, so
   * waiting claims need not wait for their next poll. A hint only: it may also fire when nothing
   * was queued, and a claim still checks the queue. Returns the function that stops watching.
   */
  watch(onQueued: () => void): () => void;
}

/** A build host of the farm as last seen by the worker API (`ingot workers`). */
export interface WorkerRecord {
  /** The worker's id (the lease owner of the jobs it runs). */
  id: string;
  /** What it advertised: arch, kvm, instanceTypes, freeGib, … */
  labels: Record<string, unknown>;
  /** ISO time of its last poll or heartbeat. */
  lastSeen: string;
}

export interface WorkerRegistry {
  /** Records (or refreshes) a worker's labels and last-seen time. */
  seen(worker: WorkerRecord): Promise<void>;
  /** Every worker ever seen, newest first. */
  list(): Promise<WorkerRecord[]>;
}

/** A document a build wrote next to its outputs (manifest, SBOMs, findings), kept in the store. */
export interface ImageDocument {
  imageArn: string;
  /** The image's account (the document is read only through that image, by its owner or a share). */
  account: string;
  /** The file name it has in the output directory, e.g. `sbom.spdx.json`. */
  name: string;
  body: string;
}

/**
 * The documents of every image build (the in-process worker's and build hosts', whose output
 * directories other servers cannot read): ListImagePackages and the findings read them.
 */
export interface ImageDocumentRepository {
  /** Stores (or replaces) one document of an image. */
  put(doc: ImageDocument): Promise<void>;
  get(imageArn: string, name: string): Promise<string | undefined>;
  /** Forgets every document of an image (it is deleted). */
  deleteOfImage(imageArn: string): Promise<void>;
}

/** The longest line kept (longer ones are cut, with a mark). */
export const BUILD_LOG_MAX_LINE_CHARS = 16_384;

/** One line of a build log as stored: its place in the image's log, when it was written, and its text. */
export interface BuildLogLine {
  /** 1, 2, 3, … per image, in the order the lines were appended (never reused, gaps after trimming). */
  seq: number;
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

/** What is known of one image's build log without reading it. */
export interface BuildLogSummary {
  imageArn: string;
  /** The highest `seq` so far (0 before any line). */
  lastSeq: number;
  /** Bytes (UTF-8) of the messages kept. */
  bytes: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
}

/** Which lines of an image's log to read, oldest first: `after`/`before` are seqs, `from`/`to` epoch ms (`to` excluded). */
export interface BuildLogQuery {
  after?: number;
  before?: number;
  from?: number;
  to?: number;
  limit: number;
  /** Take the newest `limit` lines of the range (still returned oldest first). */
  newest?: boolean;
}

/**
 * Every image's build log, in the store so that any API server (and `ingot logs` on any machine
 * with the database) reads the lines whichever worker wrote them. Scoped by the image's account;
 * at most `maxLines` lines per image; deleted with the image.
 */
export interface BuildLogRepository {
  /** The most lines kept of one image's log (the store's setting, default BUILD_LOG_MAX_LINES). */
  readonly maxLines: number;
  /** Appends lines (in order) to the image's log; returns the last one's seq. Keeps the newest `keep` lines (default `maxLines`). */
  append(
    imageArn: string,
    account: string,
    lines: readonly { timestamp: number; message: string }[],
    keep?: number,
  ): Promise<number>;
  read(imageArn: string, query: BuildLogQuery): Promise<BuildLogLine[]>;
  /** The summary of every build log of an account's images. */
  summaries(account: string): Promise<BuildLogSummary[]>;
  /** Forgets an image's log (it is deleted). */
  deleteOfImage(imageArn: string): Promise<void>;
}

/** A build host's own worker token, kept as a hash (`ingot workers token create NAME`). */
export interface WorkerTokenRecord {
  /** The build host's name: the only worker id the token may use. */
  name: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  createdAt: string;
}

export interface WorkerTokenRepository {
  /** Adds a token; DuplicateKeyError when `name` has one. */
  create(token: WorkerTokenRecord): Promise<void>;
  get(name: string): Promise<WorkerTokenRecord | undefined>;
  /** Every token (names and dates), by name. */
  list(): Promise<WorkerTokenRecord[]>;
  /** Removes `name`'s token; false when it had none. */
  revoke(name: string): Promise<boolean>;
}

export interface Store {
  readonly resources: ResourceRepository;
  readonly imageDocuments: ImageDocumentRepository;
  readonly buildLogs: BuildLogRepository;
  readonly workerTokens: WorkerTokenRepository;
  readonly schedules: ScheduleRepository;
  readonly audit: AuditRepository;
  readonly events: EventRepository;
  readonly lifecycleExecutions: LifecycleExecutionRepository;
  readonly workflowExecutions: WorkflowExecutionRepository;
  readonly shares: ShareRepository;
  readonly idempotency: IdempotencyRepository;
  readonly credentials: CredentialRepository;
  readonly jobs: JobQueue;
  readonly workers: WorkerRegistry;
  /** Runs `fn` atomically: every write inside commits together or not at all. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  constructor(key: string) {
    super(`duplicate key: ${key}`);
    this.name = 'DuplicateKeyError';
  }
}

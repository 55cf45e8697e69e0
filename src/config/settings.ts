/**
 * @module The one settings table (modelled on mkosi's `ConfigSetting` list): every environment
 * variable and config-file key Ingot reads, with its parser, default and doc line. Entry points
 * (CLI commands, `startServer`) call `resolveSettings` once and pass the result down; the README's
 * configuration table is generated from `SETTINGS` (`npm run gen:docs`).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { IngotError } from '../errors/ingot-error.ts';
import { loadIngotConfig } from './ingot-config.ts';
import {
  DEFAULT_ACCOUNT_ID,
  databaseUrl,
  num,
  oneOf,
  optionalPath,
  s3Location,
  text,
  type Parser,
} from './setting-parsers.ts';
import { imageFormatList, type ImageOutputFormat } from './tags.ts';

export { DEFAULT_ACCOUNT_ID };

/**
 * `INGOT_BUILD_LOG_MAX_LINES`' default: the most lines kept of one image's build log; past it, the
 * oldest lines go (the end says why a build failed).
 */
export const BUILD_LOG_MAX_LINES = 50_000;

/** `INGOT_BUILD_TIMEOUT_MINUTES`' default, for the API worker and `ingot build --timeout` alike. */
export const DEFAULT_BUILD_TIMEOUT_MINUTES = 240;

export interface Settings {
  home: string;
  basesHome: string;
  configFile: string;
  accountId: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  cacheMaxGib: number;
  minFreeGib: number;
  /** 0: no quota. */
  buildDiskQuotaGib: number;
  buildTimeoutMinutes: number;
  buildMaxAttempts: number;
  buildLeaseSeconds: number;
  buildLogMaxLines: number;
  schedulerIntervalMs: number;
  /** undefined: keep every event (`0`). */
  eventRetentionDays: number | undefined;
  qemuAccel: 'kvm' | 'tcg' | undefined;
  securityFeed: string | undefined;
  signingKey: string | undefined;
  secretKey: string | undefined;
  secretKeyFile: string | undefined;
  /** postgres://... : the PostgreSQL store; undefined: the embedded SQLite file. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  workerToken: string | undefined;
  workerTokenFile: string | undefined;
  signingPublicKey: string | undefined;
  sourceDateEpoch: number | undefined;
  s3Endpoint: string | undefined;
  /** The optional shared layer cache (`s3://BUCKET[/PREFIX]`); undefined: each host keeps its own layers only. */
  layerCacheS3: { bucket: string; prefix: string } | undefined;
  instanceCaBundle: string | undefined;
  instanceProxy: 'off' | 'on';
  systemdRouting: 'off' | 'on';
  /** What an image recipe's build writes when neither `--format` nor the distribution configuration says: disk formats, or `tar`. */
  imageFormats: readonly ImageOutputFormat[];
  /**
   * The host's proxy variables (http_proxy, https_proxy, no_proxy... as set), which build instances
   * get unless INGOT_INSTANCE_PROXY=off: read with the settings, not a row of their own.
   */
  proxyEnv: Readonly<Record<string, string>>;
}

/** The standard proxy variables build instances get from the host. */
export const PROXY_VARIABLES = [
  'http_proxy',
  'https_proxy',
  'ftp_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'FTP_PROXY',
  'NO_PROXY',
] as const;

/** The proxy variables set in `env`. */
export function proxyVariablesOf(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(PROXY_VARIABLES.filter((k) => env[k]).map((k) => [k, env[k]!] as [string, string]));
}

/** The settings a build reads (worker and `ingot build`). */
export type BuildSettings = Pick<
  Settings,
  | 'buildTimeoutMinutes'
  | 'securityFeed'
  | 'signingKey'
  | 'qemuAccel'
  | 'sourceDateEpoch'
  | 'instanceCaBundle'
  | 'instanceProxy'
  | 'proxyEnv'
  | 'systemdRouting'
  | 'imageFormats'
  | 'minFreeGib'
  | 'buildDiskQuotaGib'
>;

export interface Setting<K extends keyof Settings = keyof Settings> {
  key: K;
  env: string;
  /** Dotted key in the config file (`$INGOT_CONFIG`), when the setting may live there too. */
  file?: string;
  parse: Parser<Settings[K]>;
  /** The default, computed from the settings resolved before this one. */
  fallback: (s: Partial<Settings>) => Settings[K];
  /** The default as the docs show it. */
  shownDefault: string;
  doc: string;
  /** Bad values fall back to the default instead of failing (kept for settings that always did). */
  lenient?: boolean;
}

const setting = <K extends keyof Settings>(s: Setting<K>): Setting<K> => s;

/** In resolution order: a default may use the settings above it. */
export const SETTINGS: readonly Setting[] = [
  setting({
    key: 'home',
    env: 'INGOT_HOME',
    parse: text,
    fallback: () => join(homedir(), '.ingot'),
    shownDefault: '`~/.ingot`',
    doc: 'data directory: `ingot.db`, `cache/`, `bases/`, `images/`, `regions/`, `run/`',
  }),
  setting({
    key: 'accessKeyId',
    env: 'INGOT_ACCESS_KEY_ID',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'generated once and stored',
    doc: 'the default access key (with `INGOT_SECRET_ACCESS_KEY`; set both or neither)',
  }),
  setting({
    key: 'secretAccessKey',
    env: 'INGOT_SECRET_ACCESS_KEY',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'generated once and stored',
    doc: 'the secret of the default access key',
  }),
  setting({
    key: 'accountId',
    env: 'INGOT_ACCOUNT_ID',
    parse: v.pipe(v.string(), v.regex(/^[0-9]{12}$/, 'must be 12 digits')),
    fallback: () => DEFAULT_ACCOUNT_ID,
    shownDefault: `\`${DEFAULT_ACCOUNT_ID}\``,
    doc: "the default key's account",
  }),
  setting({
    key: 'basesHome',
    env: 'INGOT_BASES_HOME',
    parse: text,
    fallback: (s) => s.home!,
    shownDefault: '`INGOT_HOME`',
    doc: 'where managed Debian bases are bootstrapped and cached',
  }),
  setting({
    key: 'configFile',
    env: 'INGOT_CONFIG',
    parse: text,
    fallback: (s) => join(s.home!, 'config.json'),
    shownDefault: '`$INGOT_HOME/config.json`',
    doc: "Ingot's configuration file: sites, registries, webhooks (see [docs/pipelines.md](docs/pipelines.md))",
  }),
  setting({
    key: 'cacheMaxGib',
    env: 'INGOT_CACHE_MAX_GIB',
    parse: num({ min: 0, exclusive: true }),
    fallback: () => 20,
    shownDefault: '`20`',
    doc: 'bound of the layer cache and the kept build outputs (least recently used layers are evicted; output records beyond what the layers leave are dropped, oldest first)',
    lenient: true,
  }),
  setting({
    key: 'minFreeGib',
    env: 'INGOT_MIN_FREE_GIB',
    parse: num({ min: 0 }),
    fallback: () => 1,
    shownDefault: '`1`',
    doc: 'free space (GiB) a build needs on the data directory to start (`0` turns the check off)',
  }),
  setting({
    key: 'buildDiskQuotaGib',
    env: 'INGOT_BUILD_DISK_QUOTA_GIB',
    parse: num({ min: 0 }),
    fallback: () => 0,
    shownDefault: '`0`',
    doc: "disk space (GiB) one build's work directory (its layers' upper dirs, tarballs, scratch disks) may use; past it the build fails naming the stage and directory (`0`: no quota; an infrastructure configuration's `ingot:disk-quota-gib` tag overrides it)",
  }),
  setting({
    key: 'buildTimeoutMinutes',
    env: 'INGOT_BUILD_TIMEOUT_MINUTES',
    parse: num({ min: 0, exclusive: true }),
    fallback: () => DEFAULT_BUILD_TIMEOUT_MINUTES,
    shownDefault: `\`${DEFAULT_BUILD_TIMEOUT_MINUTES}\``,
    doc: 'a build (parent to tests) that takes longer fails; also the default of `ingot build --timeout`',
    lenient: true,
  }),
  setting({
    key: 'buildMaxAttempts',
    env: 'INGOT_BUILD_MAX_ATTEMPTS',
    file: 'builds.maxAttempts',
    parse: num({ min: 1, integer: true }),
    fallback: () => 2,
    shownDefault: '`2`',
    doc: 'attempts of a build job whose worker died or stopped',
  }),
  setting({
    key: 'buildLeaseSeconds',
    env: 'INGOT_BUILD_LEASE_SECONDS',
    file: 'builds.leaseSeconds',
    parse: num({ min: 1 }),
    fallback: () => 30,
    shownDefault: '`30`',
    doc: 'how long a silent worker keeps a claimed build job',
  }),
  setting({
    key: 'buildLogMaxLines',
    env: 'INGOT_BUILD_LOG_MAX_LINES',
    file: 'builds.logMaxLines',
    parse: num({ min: 1, integer: true }),
    fallback: () => BUILD_LOG_MAX_LINES,
    shownDefault: '`50000`',
    doc: "the most lines kept of one image's build log in the store (past it the oldest lines go; a line is cut at 16 KiB); applies to the lines servers and workers append from then on",
  }),
  setting({
    key: 'schedulerIntervalMs',
    env: 'INGOT_SCHEDULER_INTERVAL_MS',
    parse: num({ min: 0 }),
    fallback: () => 10_000,
    shownDefault: '`10000`',
    doc: 'how often the pipeline scheduler looks for due pipelines (milliseconds)',
  }),
  setting({
    key: 'eventRetentionDays',
    env: 'INGOT_EVENT_RETENTION_DAYS',
    parse: v.pipe(
      num({ min: 0 }),
      v.transform((d) => (d === 0 ? undefined : d)),
    ),
    fallback: () => 30,
    shownDefault: '`30`',
    doc: 'image events older than this are deleted once every webhook delivery is done (`0` keeps them)',
    lenient: true,
  }),
  setting({
    key: 'qemuAccel',
    env: 'INGOT_QEMU_ACCEL',
    parse: oneOf(['kvm', 'tcg'] as const),
    fallback: () => undefined,
    shownDefault: 'probed',
    doc: 'force `tcg` or `kvm` for qemu instances (default: KVM only when a probe guest runs under it about as fast as under TCG; the answer is kept until the host reboots)',
    lenient: true,
  }),
  setting({
    key: 'securityFeed',
    env: 'INGOT_SECURITY_FEED',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'the imported feed, if any',
    doc: 'Debian security tracker JSON that builds match their SBOM against (`findings.json`)',
  }),
  setting({
    key: 'secretKey',
    env: 'INGOT_SECRET_KEY',
    parse: text,
    fallback: () => undefined,
    shownDefault: '`$INGOT_HOME/secret.key`, made once (0600)',
    doc: 'the key (base64 of 32 bytes) that encrypts stored SigV4 secrets (AES-256-GCM); keep it with your backups of `ingot.db`',
  }),
  setting({
    key: 'secretKeyFile',
    env: 'INGOT_SECRET_KEY_FILE',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: '`$INGOT_HOME/secret.key`',
    doc: 'a file holding that key instead',
  }),
  setting({
    key: 'databaseUrl',
    env: 'INGOT_DATABASE_URL',
    file: 'database.url',
    parse: databaseUrl,
    fallback: () => undefined,
    shownDefault: 'the SQLite file `$INGOT_HOME/ingot.db`',
    doc: 'a PostgreSQL database (`postgres://USER:PASSWORD@HOST:PORT/DB`) for the store instead, shared by several servers and workers (give them all the same `INGOT_SECRET_KEY`)',
  }),
  setting({
    key: 'databasePoolSize',
    env: 'INGOT_DATABASE_POOL_SIZE',
    file: 'database.poolSize',
    parse: num({ min: 1, integer: true }),
    fallback: () => 10,
    shownDefault: '`10`',
    doc: 'connections each process keeps to that PostgreSQL database (a request holds one only for its statement; more than a few per CPU core of the database host add switching, not throughput)',
  }),
  setting({
    key: 'workerToken',
    env: 'INGOT_WORKER_TOKEN',
    parse: v.pipe(text, v.minLength(16, 'must be at least 16 characters')),
    fallback: () => undefined,
    shownDefault: 'none (only per-host tokens)',
    doc: "the worker token `ingot worker --control-plane` presents: the build host's own (`ingot workers token create NAME`), or a secret shared by the farm, which `ingot server` then also accepts from any build host (one-host setups); the worker API (`/worker/v1/`) is off while there is neither",
  }),
  setting({
    key: 'workerTokenFile',
    env: 'INGOT_WORKER_TOKEN_FILE',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'none',
    doc: 'a file holding that token instead',
  }),
  setting({
    key: 'signingKey',
    env: 'INGOT_SIGNING_KEY',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'unsigned',
    doc: 'PEM private key that signs OCI images and `SHA256SUMS`',
  }),
  setting({
    key: 'signingPublicKey',
    env: 'INGOT_SIGNING_PUBLIC_KEY',
    parse: optionalPath,
    fallback: (s) => s.signingKey,
    shownDefault: '`INGOT_SIGNING_KEY`',
    doc: 'PEM public key `ingot verify` checks signatures with',
  }),
  setting({
    key: 'sourceDateEpoch',
    env: 'SOURCE_DATE_EPOCH',
    parse: num({ min: 0, integer: true }),
    fallback: () => undefined,
    shownDefault: 'unset',
    doc: 'clamp file times in OCI layers to this many seconds since the epoch (reproducible builds)',
    lenient: true,
  }),
  setting({
    key: 's3Endpoint',
    env: 'INGOT_S3_ENDPOINT',
    parse: v.pipe(v.string(), v.regex(/^https?:\/\//, 'must be an http(s) URL')),
    fallback: () => undefined,
    shownDefault: 'unset',
    doc: "S3-compatible endpoint (with `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`) of `ingot toe run`'s S3Download/S3Upload and of the server's component and workflow `uri`s (`s3://BUCKET/KEY`)",
  }),
  setting({
    key: 'layerCacheS3',
    env: 'INGOT_LAYER_CACHE_S3',
    parse: s3Location,
    fallback: () => undefined,
    shownDefault: 'off',
    doc: '`s3://BUCKET[/PREFIX]`: hosts share component layers through this bucket of the `INGOT_S3_ENDPOINT` service (same `AWS_*` credentials): a layer missing from the local cache is looked up there (its digest verified) before the component runs, and layers built here are uploaded in the background (src/cache/README.md)',
  }),
  setting({
    key: 'instanceCaBundle',
    env: 'INGOT_INSTANCE_CA_BUNDLE',
    parse: optionalPath,
    fallback: () => undefined,
    shownDefault: 'none',
    doc: "a PEM CA bundle the server also trusts for `https://` component and workflow `uri`s, handed to every build and test step (`host`: the host's `/etc/ssl/certs/ca-certificates.crt`): copied to `/tmp/ingot-host-ca/ca-bundle.pem` inside, never into a layer, and named by `SSL_CERT_FILE`, `CURL_CA_BUNDLE`, `REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, `GIT_SSL_CAINFO`, `AWS_CA_BUNDLE`, `PIP_CERT`",
  }),
  setting({
    key: 'instanceProxy',
    env: 'INGOT_INSTANCE_PROXY',
    parse: oneOf(['off', 'on'] as const),
    fallback: () => 'on' as const,
    shownDefault: 'passed',
    doc: "`off` keeps the host's `http_proxy`, `https_proxy`, `ftp_proxy`, `no_proxy` (either case) out of build steps; otherwise they are passed when set",
    lenient: true,
  }),
  setting({
    key: 'systemdRouting',
    env: 'INGOT_SYSTEMD_ROUTING',
    parse: oneOf(['off', 'on'] as const),
    fallback: () => 'on' as const,
    shownDefault: 'on',
    doc: '`off` keeps image recipes whose components start or check services in sandboxes instead of a qemu build instance (docs/instance-types.md)',
    lenient: true,
  }),
  setting({
    key: 'imageFormats',
    env: 'INGOT_IMAGE_FORMATS',
    file: 'builds.imageFormats',
    parse: imageFormatList,
    fallback: () => ['qcow2'] as const,
    shownDefault: '`qcow2`',
    doc: "what an image recipe's build writes when neither `ingot build --format` nor the distribution configuration names formats: bootable disk formats, comma-separated, or `tar` (the root file system tarball, no disk, no boot in the test phase; the fast test suite uses it)",
  }),
] as Setting[];

const byKey = new Map(SETTINGS.map((s) => [s.key, s]));

function lookup(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function parseOne<K extends keyof Settings>(s: Setting<K>, raw: unknown, where: string, sofar: Partial<Settings>) {
  const r = v.safeParse(s.parse, raw);
  if (r.success) return r.output;
  if (s.lenient) return s.fallback(sofar);
  throw new IngotError('invalid-config', `${where} ${r.issues[0].message}, got '${String(raw)}'`);
}

export interface ResolveOptions {
  /** Values that win over the environment (e.g. `startServer({ home })`). */
  overrides?: Partial<Settings>;
  /** Reads the config file's JSON (the caller decides whether it exists); default: not read. */
  readFile?: (file: string) => unknown;
}

/** Resolves every setting once: override, else environment variable, else config-file key, else default. */
export function resolveSettings(
  env: Readonly<Record<string, string | undefined>>,
  opts: ResolveOptions = {},
): Settings {
  const out: Partial<Settings> = {};
  let file: unknown;
  let fileRead = false;
  for (const s of SETTINGS) {
    const o = opts.overrides?.[s.key];
    if (o !== undefined) {
      (out as Record<string, unknown>)[s.key] = o;
      continue;
    }
    const raw = env[s.env];
    if (raw !== undefined && raw.trim() !== '') {
      (out as Record<string, unknown>)[s.key] = parseOne(s, raw, s.env, out);
      continue;
    }
    if (s.file && opts.readFile) {
      if (!fileRead) {
        file = opts.readFile(out.configFile!);
        fileRead = true;
      }
      const fromFile = lookup(file, s.file);
      if (fromFile !== undefined) {
        (out as Record<string, unknown>)[s.key] = parseOne(s, fromFile, `${out.configFile}: '${s.file}'`, out);
        continue;
      }
    }
    (out as Record<string, unknown>)[s.key] = s.fallback(out);
  }
  out.proxyEnv = opts.overrides?.proxyEnv ?? proxyVariablesOf(env);
  return out as Settings;
}

/** One setting from an environment map (for helpers that take `env`; entry points use `resolveSettings`). */
export function settingFromEnv<K extends keyof Settings>(
  key: K,
  env: Readonly<Record<string, string | undefined>>,
): Settings[K] {
  const s = byKey.get(key) as Setting<K>;
  const raw = env[s.env];
  const sofar = key === 'basesHome' || key === 'configFile' ? { home: settingFromEnv('home', env) } : {};
  return raw !== undefined && raw.trim() !== '' ? parseOne(s, raw, s.env, sofar) : s.fallback(sofar);
}

/** What entry points call once: the environment, then `$INGOT_CONFIG`'s keys (`builds.*`), then defaults. */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<Settings> = {},
): Settings {
  return resolveSettings(env, { overrides, readFile: loadIngotConfig });
}

/** The shared layer cache's bucket and how to reach it (an `S3Endpoint` of src/s3/). */
export interface SharedLayerCacheOptions {
  endpoint: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  bucket: string;
  prefix: string;
}

/**
 * Where the layer cache lives, how large it may grow and, with INGOT_LAYER_CACHE_S3, the bucket it
 * shares layers through (INGOT_S3_ENDPOINT with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
 * as for component `uri`s): one answer for server, worker and CLI.
 */
export function layerCacheOptions(
  s: Pick<Settings, 'home' | 'cacheMaxGib'> & Partial<Pick<Settings, 'layerCacheS3' | 's3Endpoint'>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { root: string; maxBytes: number; shared?: SharedLayerCacheOptions } {
  const local = { root: join(s.home, 'cache'), maxBytes: s.cacheMaxGib * 2 ** 30 };
  if (!s.layerCacheS3) return local;
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!s.s3Endpoint || !accessKeyId || !secretAccessKey)
    throw new IngotError(
      'invalid-config',
      'INGOT_LAYER_CACHE_S3 needs INGOT_S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the S3 service and its credentials)',
    );
  const endpoint = { endpoint: s.s3Endpoint, accessKeyId, secretAccessKey, region: env['AWS_REGION'] || 'us-east-1' };
  return { ...local, shared: { endpoint, ...s.layerCacheS3 } };
}

/** How the store finds the key of stored secrets (INGOT_SECRET_KEY, INGOT_SECRET_KEY_FILE). */
export const storeSecretKey = (
  s: Pick<Settings, 'secretKey' | 'secretKeyFile'>,
): { inline?: string; file?: string } => ({
  ...(s.secretKey ? { inline: s.secretKey } : {}),
  ...(s.secretKeyFile ? { file: s.secretKeyFile } : {}),
});

/** The farm's worker token: INGOT_WORKER_TOKEN, else the first line of INGOT_WORKER_TOKEN_FILE; undefined when neither. */
export function workerToken(s: Pick<Settings, 'workerToken' | 'workerTokenFile'>): string | undefined {
  if (s.workerToken) return s.workerToken;
  if (!s.workerTokenFile) return undefined;
  let text: string;
  try {
    text = readFileSync(s.workerTokenFile, 'utf8');
  } catch (err) {
    throw new IngotError(
      'invalid-config',
      `INGOT_WORKER_TOKEN_FILE: cannot read ${s.workerTokenFile}: ${(err as Error).message}`,
    );
  }
  const token = text.split('\n')[0]!.trim();
  if (token.length < 16)
    throw new IngotError(
      'invalid-config',
      `INGOT_WORKER_TOKEN_FILE: the token in ${s.workerTokenFile} must be at least 16 characters`,
    );
  return token;
}

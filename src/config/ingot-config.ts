/**
 * @module Ingot's operations configuration: one JSON file (the `configFile` setting: `$INGOT_CONFIG` or
 * `$INGOT_HOME/config.json`), read when needed (edits apply without a restart). It maps the AWS
 * names Image Builder uses to local things: regions to artifact directories, container
 * repositories to OCI registries, SNS topics to webhooks. See docs/pipelines.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { IngotError } from '../errors/ingot-error.ts';

export interface S3SiteConfig {
  /** `http(s)://HOST[:PORT]` of an S3-compatible service. */
  endpoint: string;
  bucket: string;
  /** Key prefix inside the bucket (e.g. `ingot/us-west-2/`). */
  prefix?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Signing region (default us-east-1). */
  region?: string;
  /** Path-style requests `ENDPOINT/BUCKET/KEY` (default true); false for virtual-hosted `BUCKET.HOST/KEY`. */
  pathStyle?: boolean;
  /** Seconds a request may wait on the service without a byte before it fails (default 60; retried). */
  timeoutSeconds?: number;
}

export interface SiteConfig {
  /** Artifact store of the region (default `$INGOT_HOME/regions/REGION`). */
  directory?: string;
  /** Or an S3-compatible bucket. */
  s3?: S3SiteConfig;
}

export interface RegistryConfig {
  /** `ECR` (the only TargetContainerRepository service in the model). */
  service: string;
  /** Only for distributions to this region (default: every region). */
  region?: string;
  /** `HOST[:PORT]` of the OCI registry, e.g. 127.0.0.1:5000. */
  host: string;
  /** Prefix put before the target repository name (e.g. `team/`). */
  repositoryPrefix?: string;
  username?: string;
  password?: string;
  /** Verify TLS (default true; loopback registries are plain HTTP: set false). */
  tlsVerify?: boolean;
}

export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key of the `X-Ingot-Signature` header. */
  secret: string;
}

export interface IngotConfig {
  sites?: Record<string, SiteConfig>;
  registries?: RegistryConfig[];
  /** SNS topic ARN (an infrastructure configuration's snsTopicArn) → webhooks. */
  webhooks?: Record<string, WebhookConfig[]>;
  builds?: { maxAttempts?: number; leaseSeconds?: number };
}

function fail(file: string, field: string, rule: string): never {
  throw new IngotError('invalid-config', `${file}: '${field}' ${rule}`);
}

function check(file: string, c: IngotConfig): IngotConfig {
  for (const [region, s] of Object.entries(c.sites ?? {})) {
    if (s.directory !== undefined && !s.directory.startsWith('/'))
      fail(file, `sites.${region}.directory`, 'must be an absolute path');
    if (s.directory !== undefined && s.s3 !== undefined)
      fail(file, `sites.${region}`, "takes 'directory' or 's3', not both");
    if (s.s3 !== undefined) {
      if (!/^https?:\/\//.test(s.s3.endpoint ?? ''))
        fail(file, `sites.${region}.s3.endpoint`, 'must be an http(s) URL');
      for (const k of ['bucket', 'accessKeyId', 'secretAccessKey'] as const)
        if (typeof s.s3[k] !== 'string' || !s.s3[k])
          fail(file, `sites.${region}.s3.${k}`, 'must be a non-empty string');
      if (s.s3.pathStyle !== undefined && typeof s.s3.pathStyle !== 'boolean')
        fail(file, `sites.${region}.s3.pathStyle`, 'must be true or false');
      const t = s.s3.timeoutSeconds;
      if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 3600))
        fail(file, `sites.${region}.s3.timeoutSeconds`, 'must be a whole number of seconds from 1 to 3600');
    }
  }
  (c.registries ?? []).forEach((r, i) => {
    if (typeof r.host !== 'string' || !/^[A-Za-z0-9.[\]:-]+$/.test(r.host))
      fail(file, `registries[${i}].host`, 'must be HOST[:PORT]');
    if (typeof r.service !== 'string') fail(file, `registries[${i}].service`, "must be a string such as 'ECR'");
    if ((r.username === undefined) !== (r.password === undefined))
      fail(file, `registries[${i}]`, 'needs both username and password, or neither');
  });
  for (const [topic, hooks] of Object.entries(c.webhooks ?? {})) {
    if (!Array.isArray(hooks)) fail(file, `webhooks.${topic}`, 'must be a list of { url, secret }');
    hooks.forEach((h, i) => {
      if (!/^https?:\/\//.test(h.url ?? '')) fail(file, `webhooks.${topic}[${i}].url`, 'must be an http(s) URL');
      if (typeof h.secret !== 'string' || !h.secret)
        fail(file, `webhooks.${topic}[${i}].secret`, 'must be a non-empty string');
    });
  }
  return c;
}

/** The configuration in `file` now (an absent file is an empty configuration). */
export function loadIngotConfig(file: string): IngotConfig {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new IngotError('invalid-config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(file, '(top level)', 'must be a JSON object');
  return check(file, parsed as IngotConfig);
}

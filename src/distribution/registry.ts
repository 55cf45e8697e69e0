/**
 * @module Pushes a container build (its OCI layout) to an OCI registry with
 * `skopeo copy oci:DIR:TAG docker://HOST/PREFIX ACCOUNT/REPO:TAG`, choosing the registry for the
 * distribution's target repository from Ingot's configuration (`registries`). Every account has
 * its own repositories (the account id is a path segment, as ECR gives every account its own
 * registry), so one account's push never replaces another account's tag.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngotError } from '../errors/ingot-error.ts';
import type { RegistryConfig } from '../config/ingot-config.ts';
import { CommandFailed, runCommand } from '../process/index.ts';
import { TOMBSTONE_TAG, writeTombstoneLayout } from './tombstone.ts';

export interface PushTarget {
  registry: RegistryConfig;
  /** `HOST/PREFIX+ACCOUNT/REPOSITORY` (no tag). */
  repository: string;
}

/** The configured registry for `service` in `region` (a region-specific entry wins), and the account's repository in it. */
export function registryFor(
  registries: readonly RegistryConfig[],
  service: string,
  region: string,
  repositoryName: string,
  account: string,
): PushTarget {
  const candidates = registries.filter((r) => r.service === service && (r.region === undefined || r.region === region));
  const registry = candidates.find((r) => r.region === region) ?? candidates[0];
  if (!registry) {
    throw new IngotError(
      'invalid-input',
      `no OCI registry is configured for ${service} repository '${repositoryName}' in region ${region}: add { "service": "${service}", "host": "HOST:PORT" } to "registries" in Ingot's config.json (see docs/pipelines.md)`,
    );
  }
  if (!/^[0-9]{12}$/.test(account)) throw new Error(`not an account id: '${account}'`);
  return { registry, repository: `${registry.host}/${registry.repositoryPrefix ?? ''}${account}/${repositoryName}` };
}

async function skopeo(args: readonly string[], signal?: AbortSignal): Promise<void> {
  try {
    await runCommand(['skopeo', ...args], { timeoutMs: 600_000, ...(signal ? { signal } : {}) });
  } catch (err) {
    const detail = err instanceof CommandFailed && err.stderrTail ? err.stderrTail : (err as Error).message;
    throw new Error(detail.trim().split('\n').filter(Boolean).slice(-2).join(' '), { cause: err });
  }
}

/**
 * Runs `fn` with skopeo's options for the registry: TLS verification and, when it has a user, an
 * `--authfile` written for this call only (mode 0600 in a private temporary directory, removed
 * afterwards), so the password never appears on a command line (`/proc/PID/cmdline`).
 */
async function withRegistryOptions<T>(r: RegistryConfig, fn: (options: string[]) => Promise<T>): Promise<T> {
  const tls = `--tls-verify=${r.tlsVerify === false ? 'false' : 'true'}`;
  if (r.username === undefined) return fn([tls]);
  const dir = await mkdtemp(join(tmpdir(), 'ingot-registry-auth-'));
  try {
    const file = join(dir, 'auth.json');
    const auth = Buffer.from(`${r.username}:${r.password ?? ''}`).toString('base64');
    await writeFile(file, JSON.stringify({ auths: { [r.host]: { auth } } }), { mode: 0o600 });
    return await fn([tls, '--authfile', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies `oci:LAYOUT:SOURCE_TAG` to every `tags` of the target; returns the pushed image URIs. */
export async function pushImage(
  layoutDir: string,
  sourceTag: string,
  target: PushTarget,
  tags: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  return withRegistryOptions(target.registry, async (options) => {
    const uris: string[] = [];
    for (const tag of tags) {
      const uri = `${target.repository}:${tag}`;
      // skopeo copy takes the destination's options with a `dest-` prefix.
      const dest = options.map((o) => o.replace(/^--/, '--dest-'));
      try {
        await skopeo(['copy', '--quiet', ...dest, `oci:${layoutDir}:${sourceTag}`, `docker://${uri}`], signal);
      } catch (err) {
        throw new IngotError('internal', `push to ${uri} failed: ${(err as Error).message}`);
      }
      uris.push(uri);
    }
    return uris;
  });
}

/**
 * Deletes one tag of an image from a registry (lifecycle DELETE, undoing a distribution); the registry
 * must allow deletes. The registry API can only delete manifests, and deleting the tag's manifest would
 * remove every other tag on the same digest (another image with the same content): so the tag is first
 * moved to a tombstone image of its own, and that is deleted by its digest.
 */
export async function deleteRemoteImage(uri: string, registry: RegistryConfig): Promise<void> {
  if (uri.includes('@')) {
    // By digest: exactly that manifest.
    await withRegistryOptions(registry, (options) => skopeo(['delete', ...options, `docker://${uri}`]));
    return;
  }
  const repository = uri.replace(/:[^:/]+$/, '');
  const dir = await mkdtemp(join(tmpdir(), 'ingot-tombstone-'));
  try {
    await writeTombstoneLayout(join(dir, 'layout'));
    const digestFile = join(dir, 'digest');
    await withRegistryOptions(registry, async (options) => {
      const dest = options.map((o) => o.replace(/^--/, '--dest-'));
      await skopeo([
        'copy',
        '--quiet',
        ...dest,
        '--digestfile',
        digestFile,
        `oci:${join(dir, 'layout')}:${TOMBSTONE_TAG}`,
        `docker://${uri}`,
      ]);
      const digest = (await readFile(digestFile, 'utf8')).trim();
      await skopeo(['delete', ...options, `docker://${repository}@${digest}`]);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

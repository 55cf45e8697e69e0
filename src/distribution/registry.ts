/**
 * @module Pushes a container build (its OCI layout) to an OCI registry with
 * `skopeo copy oci:DIR:TAG docker://HOST/REPO:TAG`, choosing the registry for the distribution's
 * target repository from Ingot's configuration (`registries`).
 */
import { execFile } from 'node:child_process';
import { IngotError } from '../errors/ingot-error.ts';
import type { RegistryConfig } from '../config/ingot-config.ts';

export interface PushTarget {
  registry: RegistryConfig;
  /** `HOST/PREFIX+REPOSITORY` (no tag). */
  repository: string;
}

/** The configured registry for `service` in `region` (a region-specific entry wins). */
export function registryFor(
  registries: readonly RegistryConfig[],
  service: string,
  region: string,
  repositoryName: string,
): PushTarget {
  const candidates = registries.filter((r) => r.service === service && (r.region === undefined || r.region === region));
  const registry = candidates.find((r) => r.region === region) ?? candidates[0];
  if (!registry) {
    throw new IngotError(
      'InvalidParameterValueException',
      `no OCI registry is configured for ${service} repository '${repositoryName}' in region ${region}: add { "service": "${service}", "host": "HOST:PORT" } to "registries" in Ingot's config.json (see docs/pipelines.md)`,
    );
  }
  return { registry, repository: `${registry.host}/${registry.repositoryPrefix ?? ''}${repositoryName}` };
}

function skopeo(args: readonly string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      [...args],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const detail = (stderr || err.message).trim().split('\n').filter(Boolean).slice(-2).join(' ');
        reject(new Error(detail.replace(/--(src|dest)-creds[= ]\S+/g, '--$1-creds=***')));
      },
    );
  });
}

const credsArgs = (r: RegistryConfig, side: 'src' | 'dest'): string[] => [
  ...(r.username !== undefined ? [`--${side}-creds`, `${r.username}:${r.password ?? ''}`] : []),
  `--${side}-tls-verify=${r.tlsVerify === false ? 'false' : 'true'}`,
];

/** Copies `oci:LAYOUT:SOURCE_TAG` to every `tags` of the target; returns the pushed image URIs. */
export async function pushImage(
  layoutDir: string,
  sourceTag: string,
  target: PushTarget,
  tags: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const uris: string[] = [];
  for (const tag of tags) {
    const uri = `${target.repository}:${tag}`;
    try {
      await skopeo(
        ['copy', '--quiet', ...credsArgs(target.registry, 'dest'), `oci:${layoutDir}:${sourceTag}`, `docker://${uri}`],
        signal,
      );
    } catch (err) {
      throw new IngotError('ServiceException', `push to ${uri} failed: ${(err as Error).message}`);
    }
    uris.push(uri);
  }
  return uris;
}

/** Deletes an image from a registry (lifecycle DELETE); the registry must allow deletes. */
export async function deleteRemoteImage(uri: string, registry: RegistryConfig): Promise<void> {
  await skopeo(['delete', ...credsArgs(registry, 'src').map((a) => a.replace('--src-', '--')), `docker://${uri}`]);
}

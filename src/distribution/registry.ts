/**
 * @module Pushes a container build (its OCI layout) to an OCI registry with
 * `skopeo copy oci:DIR:TAG docker://HOST/PREFIX ACCOUNT/REPO:TAG`, choosing the registry for the
 * distribution's target repository from Ingot's configuration (`registries`). Every account has
 * its own repositories (the account id is a path segment, as ECR gives every account its own
 * registry), so one account's push never replaces another account's tag.
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { RegistryConfig } from '../config/ingot-config.ts';
import { CommandFailed, runCommand } from '../process/index.ts';

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
      'InvalidParameterValueException',
      `no OCI registry is configured for ${service} repository '${repositoryName}' in region ${region}: add { "service": "${service}", "host": "HOST:PORT" } to "registries" in Ingot's config.json (see docs/pipelines.md)`,
    );
  }
  if (!/^[0-9]{12}$/.test(account)) throw new Error(`not an account id: '${account}'`);
  return { registry, repository: `${registry.host}/${registry.repositoryPrefix ?? ''}${account}/${repositoryName}` };
}

const hideCreds = (text: string): string => text.replace(/--(src|dest)-creds[= ]\S+/g, '--$1-creds=***');

async function skopeo(args: readonly string[], signal?: AbortSignal): Promise<void> {
  const creds = args.flatMap((a, i) => (/^--(src|dest|)-?creds$/.test(args[i - 1] ?? '') ? [a] : []));
  const redact = (text: string) => creds.reduce((t, c) => t.replaceAll(c, '***'), hideCreds(text));
  try {
    await runCommand(['skopeo', ...args], { timeoutMs: 600_000, redact, ...(signal ? { signal } : {}) });
  } catch (err) {
    const detail = err instanceof CommandFailed && err.stderrTail ? err.stderrTail : (err as Error).message;
    throw new Error(redact(detail.trim().split('\n').filter(Boolean).slice(-2).join(' ')), { cause: err });
  }
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

/**
 * @module Distributes a finished build to every region (site) of the image's distribution
 * configuration: artifacts into the site's content-addressed store, container images also to
 * their OCI registry. All or nothing: when one target fails, the copies already made are removed
 * and a `DistributionFailed` names the target; a crash part-way is undone from the distribution
 * journal (`journal.ts`) by `reapDistributionLeftovers` unless the image became AVAILABLE.
 */
import { join } from 'node:path';
import { tryParseArn } from '../arn/arn.ts';
import type { OutputManifest } from '../artifacts/manifest.ts';
import { sha256File } from '../artifacts/manifest.ts';
import type { Distribution, Image, OutputResources } from '../model/generated/shapes.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import { dropJournal, newJournal, writeJournal } from './journal.ts';
import { deleteRemoteImage, pushImage, registryFor, type PushTarget } from './registry.ts';
import type { PutOptions, Site } from './site.ts';
import { openSite } from './sites.ts';
import { expandOutputName } from './templates.ts';

export class DistributionFailed extends Error {
  readonly target: string;
  readonly reason: string;
  constructor(target: string, reason: string) {
    super(`Distribution to ${target} failed: ${reason}`);
    this.name = 'DistributionFailed';
    this.target = target;
    this.reason = reason;
  }
}

export interface DistributeInput {
  home: string;
  config: IngotConfig;
  image: Image;
  /** Distributions to make (default: the image's distribution configuration, else its own region). */
  distributions?: readonly Distribution[];
  outputDir: string;
  manifest: OutputManifest;
  account: string;
  region: string;
  signal?: AbortSignal;
  /** A line of progress for the image's build log (uploads of 64 MiB and more report every 10 %). */
  log?: (line: string) => void;
}

/** `ingot-NAME-VERSION-BUILD`, the image id of every region's copy (as shown in outputResources). */
export function imageIdOf(arn: string): string {
  const resource = arn.split(':')[5] ?? '';
  return `ingot-${resource.replace(/^image\//, '').replace(/[/.]/g, '-')}`;
}

/**
 * Where an image's copy lives inside its account's part of a site: `SOURCE_REGION/ingot-NAME-VERSION-BUILD`
 * (the image's own region keeps two regions' builds of the same name and version apart).
 */
export function siteKeyOf(arn: string): string {
  const a = tryParseArn(arn);
  if (a?.type !== 'image' || a.build === undefined) throw new Error(`not an image build version ARN: ${arn}`);
  return `${a.region}/${imageIdOf(arn)}`;
}

export async function distribute(input: DistributeInput): Promise<OutputResources> {
  const { image, manifest, config } = input;
  const distributions = input.distributions ??
    image.distributionConfiguration?.distributions ?? [{ region: input.region }];
  const id = siteKeyOf(image.arn ?? '');
  const facts = {
    dateCreated: new Date(image.dateCreated ?? Date.now()),
    buildVersion: Number((image.arn ?? '').split('/').pop()) || 1,
  };
  const placed: Site[] = [];
  const pushed: { uri: string; target: PushTarget }[] = [];
  const out: OutputResources = {};
  const manifestSha = await sha256File(join(input.outputDir, 'manifest.json'));
  let target = '';
  const journal = newJournal(image.arn ?? '', input.account, id);
  try {
    for (const d of distributions) {
      target = `region ${d.region}`;
      const site = openSite(input.home, config, d.region, input.account);
      // Recorded before the first byte is written, so a crash from here on is undone on recovery.
      journal.regions.push(d.region);
      await writeJournal(input.home, journal);
      placed.push(site);
      for (const a of manifest.artifacts) {
        const name = a.path.split('/').pop()!;
        await site.putFile(id, name, a.sha256, join(input.outputDir, a.path), put(input, `${d.region}: ${name}`));
      }
      await site.putFile(id, 'manifest.json', manifestSha, join(input.outputDir, 'manifest.json'), put(input, ''));
      await site.commit(id);
      if (image.type === 'DOCKER') {
        const uris: string[] = [];
        const repo = d.containerDistributionConfiguration?.targetRepository ?? image.containerRecipe?.targetRepository;
        const explicit = d.containerDistributionConfiguration !== undefined;
        const hasRegistry =
          repo &&
          (config.registries ?? []).some((r) => r.service === repo.service && (r.region ?? d.region) === d.region);
        if (repo && (explicit || hasRegistry)) {
          target = `region ${d.region} (${repo.service} repository ${repo.repositoryName})`;
          const push = registryFor(config.registries ?? [], repo.service, d.region, repo.repositoryName, input.account);
          const tags = (d.containerDistributionConfiguration?.containerTags ?? [manifest.version]).map((t) =>
            expandOutputName(t, facts),
          );
          for (const uri of await pushImage(join(input.outputDir, 'oci'), manifest.version, push, tags, input.signal)) {
            pushed.push({ uri, target: push });
            uris.push(uri);
          }
          journal.pushed = pushed.map((p) => p.uri);
          await writeJournal(input.home, journal);
        }
        uris.push(site.archiveUri(id, manifest.version));
        (out.containers ??= []).push({ region: d.region, imageUris: uris });
      } else {
        const ami = d.amiDistributionConfiguration;
        const name = expandOutputName(ami?.name ?? `${image.name} ${image.version}`, facts);
        // The region's copy of the boot disk (the first disk format written), else the site folder.
        const disk = manifest.artifacts.find((a) => a.format.startsWith('disk-'));
        const description = ami?.description
          ? expandOutputName(ami.description, facts)
          : disk
            ? `Ingot disk image at ${site.location(id, disk.path.split('/').pop())}`
            : `Ingot image at ${site.location(id)}`;
        (out.amis ??= []).push({
          region: d.region,
          image: imageIdOf(image.arn ?? ''),
          name,
          description,
          state: { status: 'AVAILABLE' },
          accountId: input.account,
        });
      }
    }
    return out;
  } catch (err) {
    const undone = await undo(placed, id, pushed);
    // What could not be removed now is left to reapDistributionLeftovers (an owner of 0 is no live process).
    if (!undone) await writeJournal(input.home, { ...journal, pid: 0, pidStart: '' }).catch(() => {});
    else await dropJournal(input.home, journal.imageArn).catch(() => {});
    throw new DistributionFailed(target, err instanceof Error ? err.message : String(err));
  }
}

/** Options of one putFile: the job's signal, and progress lines every 10 % when `what` is named. */
function put(input: DistributeInput, what: string): PutOptions {
  const log = input.log;
  let reported = 0;
  return {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(log && what
      ? {
          onProgress: (done: number, total: number) => {
            const tenth = Math.floor((done / total) * 10);
            if (total < 64 * 2 ** 20 || tenth <= reported) return;
            reported = tenth;
            log(
              `distribution to ${what}: ${(done / 2 ** 20).toFixed(0)} of ${(total / 2 ** 20).toFixed(0)} MiB copied`,
            );
          },
        }
      : {}),
  };
}

/** Removes what a failed distribution already placed (the image will be FAILED); false when some of it stayed. */
async function undo(
  sites: readonly Site[],
  id: string,
  pushed: readonly { uri: string; target: PushTarget }[],
): Promise<boolean> {
  let ok = true;
  const failed = () => {
    ok = false;
  };
  for (const site of sites) await site.removeImage(id).catch(failed);
  for (const p of pushed) await deleteRemoteImage(p.uri, p.target.registry).catch(failed);
  return ok;
}

/**
 * @module Undoes distributions a crash interrupted: for every journal whose owner died, the image's
 * copies in the regions it wrote to (staged or committed) and its pushed registry images are removed,
 * unless the image is AVAILABLE (the distribution finished) or still on its way (a live worker took
 * its job again and will overwrite them).
 */
import type { IngotConfig } from '../config/ingot-config.ts';
import { isInProgress } from '../images/image-states.ts';
import type { ImageStatus } from '../model/generated/shapes.ts';
import { dropJournal, orphanJournals } from './journal.ts';
import { deleteRemoteImage } from './registry.ts';
import { openSite } from './sites.ts';

/** What the store says of the image now: its state, or undefined when it is gone. */
export type ImageStatusOf = (imageArn: string) => Promise<ImageStatus | undefined>;

/** States of an image whose distribution finished (it was AVAILABLE). */
const DISTRIBUTED: ReadonlySet<ImageStatus | undefined> = new Set(['AVAILABLE', 'DEPRECATED', 'DISABLED']);

/**
 * Undoes orphaned distributions of images that will not become AVAILABLE; returns their ARNs. What cannot be
 * removed now (a site or registry failing or not answering in time) keeps its journal for the next reap, and
 * `onDeferred` hears why.
 */
export async function reapDistributionLeftovers(
  home: string,
  config: IngotConfig,
  statusOf: ImageStatusOf,
  onDeferred: (reason: string) => void = () => {},
): Promise<string[]> {
  const undone: string[] = [];
  for (const j of await orphanJournals(home)) {
    const status = await statusOf(j.imageArn);
    if (DISTRIBUTED.has(status)) {
      await dropJournal(home, j.imageArn);
      continue;
    }
    if (isInProgress(status)) continue;
    let complete = true;
    const deferred = (what: string) => (err: unknown) => {
      complete = false;
      onDeferred(
        `undoing the distribution of ${j.imageArn}: ${what}: ${err instanceof Error ? err.message : String(err)} (retried on the next reap)`,
      );
    };
    for (const region of j.regions) {
      await Promise.resolve()
        .then(() => openSite(home, config, region, j.account).removeImage(j.siteKey))
        .catch(deferred(`region ${region}`));
    }
    for (const uri of j.pushed) {
      const registry = (config.registries ?? []).find((r) => uri.startsWith(`${r.host}/`));
      if (registry) await deleteRemoteImage(uri, registry).catch(deferred(uri));
    }
    if (complete) await dropJournal(home, j.imageArn);
    undone.push(j.imageArn);
  }
  return undone;
}

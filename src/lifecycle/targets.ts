/**
 * @module Where an image's copies are, read back from its outputResources: its own account's part
 * of one site per region, plus registry images (container URIs pushed to a configured registry).
 */
import { siteKeyOf } from '../distribution/distribute.ts';
import type { Site } from '../distribution/site.ts';
import { openSite } from '../distribution/sites.ts';
import type { Image } from '../model/generated/shapes.ts';
import type { IngotConfig, RegistryConfig } from '../config/ingot-config.ts';

export interface ImageTargets {
  imageId: string;
  sites: Site[];
  remote: { uri: string; registry: RegistryConfig }[];
}

export function distributionTargets(home: string, config: IngotConfig, image: Image, account: string): ImageTargets {
  const imageId = siteKeyOf(image.arn ?? '');
  const regions = new Set<string>();
  const remote: ImageTargets['remote'] = [];
  for (const a of image.outputResources?.amis ?? []) if (a.region) regions.add(a.region);
  for (const c of image.outputResources?.containers ?? []) {
    if (c.region) regions.add(c.region);
    for (const uri of c.imageUris ?? []) {
      if (uri.startsWith('oci-archive:')) continue;
      const registry = (config.registries ?? []).find((r) => uri.startsWith(`${r.host}/`));
      if (registry) remote.push({ uri, registry });
    }
  }
  return { imageId, sites: [...regions].map((region) => openSite(home, config, region, account)), remote };
}

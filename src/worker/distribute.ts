/**
 * @module Distribution of a finished image to the regions (sites) of its distribution
 * configuration: each region's artifact store is `$INGOT_HOME/regions/REGION/`, where the
 * artifacts are hard-linked (copied across file systems). Returns the image's outputResources
 * in the API's shape.
 */
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputManifest } from '../engine/outputs/manifest.ts';
import type { Image, OutputResources } from '../model/generated/shapes.ts';
import { regionDir } from './output-dirs.ts';

async function place(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export async function distributeImage(home: string, image: Image, outputDir: string, manifest: OutputManifest, account: string, defaultRegion: string): Promise<OutputResources> {
  const regions = image.distributionConfiguration?.distributions?.map((d) => d.region) ?? [defaultRegion];
  const [, , , , , resource] = (image.arn ?? '').split(':');
  const id = `ingot-${(resource ?? '').replace(/^image\//, '').replace(/[/.]/g, '-')}`;
  const out: OutputResources = {};
  for (const region of regions) {
    const dir = join(regionDir(home, region), 'images', id);
    await mkdir(dir, { recursive: true });
    for (const a of manifest.artifacts) await place(join(outputDir, a.path), join(dir, a.path.split('/').pop()!));
    await place(join(outputDir, 'manifest.json'), join(dir, 'manifest.json'));
    if (image.type === 'DOCKER') {
      (out.containers ??= []).push({ region, imageUris: [`oci-archive:${join(dir, 'image.oci.tar')}:${manifest.version}`] });
    } else {
      (out.amis ??= []).push({ region, image: id, name: `${image.name} ${image.version}`, description: `Ingot image at ${dir}`, state: { status: 'AVAILABLE' }, accountId: account });
    }
  }
  return out;
}

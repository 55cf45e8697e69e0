/**
 * @module Turns a queued image (its embedded recipe, as stored by CreateImage) into a BuildRequest:
 * each component ARN resolved to its stored document, the parentImage to something buildable.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { formatArn, tryParseArn } from '../arn/arn.ts';
import { componentFromText } from '../engine/component-from-text.ts';
import { parseParentImage } from '../engine/parent-spec.ts';
import type { BuildRequest, ParentSpec } from '../engine/request.ts';
import { IngotError } from '../errors/ingot-error.ts';
import type { Component, ComponentConfiguration, DiskImageFormat, Image } from '../model/generated/shapes.ts';
import { type DiskFormat, diskFormatsOf, parseDiskFormats } from '../disk/formats/index.ts';
import { bootOptionsFromTags } from '../disk/boot-options.ts';
import type { ResourceRecord } from '../store/types.ts';
import type { JobStore } from './job-store.ts';
import {
  compareVersions,
  isWildcard,
  matches,
  newestMatching,
  parseVersion,
  parseVersionPattern,
} from '../versions/semver.ts';
import { imageOutputDir } from '../artifacts/output-dirs.ts';

async function componentRecord(
  store: JobStore,
  image: { account: string; region: string },
  arn: string,
): Promise<Component> {
  const parsed = tryParseArn(arn);
  if (parsed?.type !== 'component') throw new IngotError('invalid-input', `not a component ARN: ${arn}`);
  let record =
    parsed.build !== undefined && parsed.version && !parsed.version.includes('x')
      ? await store.resources.get<Component>(arn)
      : undefined;
  if (!record) {
    const candidates = await store.resources.versions('component', [parsed.account], image.region, parsed.name);
    const best = newestMatching(candidates, parsed.version ?? 'x.x.x');
    record = best ? await store.resources.get<Component>(best.arn) : undefined;
  }
  if (!record) throw new IngotError('not-found', `the component ${arn} no longer exists`);
  await checkStillUsable(store, record, image.account, 'component');
  return record.doc;
}

/**
 * Access is checked again when the build resolves its parts, not only when the recipe was made:
 * a component or parent image of another account must still be shared with the image's account
 * (a replaced policy stops its use at once).
 */
async function checkStillUsable(
  store: JobStore,
  record: ResourceRecord<unknown>,
  account: string,
  what: 'component' | 'parent image',
): Promise<void> {
  // 'aws' owns the managed resources every account may use.
  if (record.account === account || record.account === 'aws') return;
  if (await store.shares.isSharedWith(record.arn, account)) return;
  throw new IngotError(
    'ResourceNotFoundException',
    `the ${what} ${record.arn} is not shared with account ${account} (any more): its owner's policy no longer allows it`,
  );
}

/**
 * An earlier Ingot image as a parent: its rootfs tarball (VM images) or OCI layout (containers).
 * As in Image Builder, an ARN with a concrete version and build number names exactly that build;
 * a version without build, or one with `x` wildcards, takes the newest AVAILABLE matching build.
 */
async function earlierImage(store: JobStore, home: string, arn: string, account: string): Promise<ParentSpec> {
  const parsed = tryParseArn(arn)!;
  let record: ResourceRecord<Image> | undefined;
  if (parsed.build !== undefined && parsed.version !== undefined && !isWildcard(parsed.version)) {
    record = await store.resources.get<Image>(formatArn(parsed));
    if (!record) throw new IngotError('not-found', `the parent image ${arn} does not exist`);
    const status = record.doc.state?.status ?? 'PENDING';
    if (status !== 'AVAILABLE')
      throw new IngotError('not-found', `the parent image ${arn} is ${status}, not AVAILABLE`);
  } else {
    const pattern = parseVersionPattern(parsed.version ?? 'x.x.x', 'parentImage');
    const candidates = (await store.resources.versions('image', [parsed.account], parsed.region, parsed.name))
      .map((c) => ({ ...c, triple: parseVersion(c.version) }))
      .filter((c) => matches(c.triple, pattern))
      .sort((a, b) => compareVersions(b.triple, a.triple) || (b.build ?? 0) - (a.build ?? 0));
    for (const c of candidates) {
      const r = await store.resources.get<Image>(c.arn);
      if (r?.doc.state?.status === 'AVAILABLE') {
        record = r;
        break;
      }
    }
    if (!record) throw new IngotError('not-found', `no AVAILABLE image matches the parent image ${arn}`);
  }
  await checkStillUsable(store, record, account, 'parent image');
  const dir = imageOutputDir(home, record.arn);
  return record.doc.type === 'DOCKER'
    ? { type: 'oci', reference: `oci:${join(dir, 'oci')}:${record.version}` }
    : { type: 'rootfs-tarball', path: join(dir, 'rootfs.tar.zst') };
}

/**
 * A parentImage given as a host path may not point into INGOT_HOME: that is where every account's
 * outputs, sites, cache and database live (an Ingot image is named by its ARN, which checks access).
 */
async function refuseHomePath(parentImage: string | undefined, home: string): Promise<void> {
  const m = /^(?:oci:|oci-archive:|file:\/\/)?(\/[^:]*)/.exec(parentImage ?? '');
  if (!m) return;
  const real = async (p: string) => realpath(p).catch(() => resolve(p));
  const [path, root] = await Promise.all([real(m[1]!), real(home)]);
  const rel = relative(root, path);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw new IngotError(
      'InvalidParameterValueException',
      `parentImage '${parentImage}' is inside Ingot's data directory: name an Ingot image by its ARN instead`,
    );
}

export async function planFromImage(
  store: JobStore,
  home: string,
  image: Image,
  where: { account: string; region: string },
  /** The INGOT_IMAGE_FORMATS setting (default qcow2): disks when the distribution configuration names none. */
  imageFormats?: readonly string[],
): Promise<BuildRequest> {
  const recipe = image.imageRecipe ?? image.containerRecipe;
  if (!recipe) throw new IngotError('invalid-request', `image ${image.arn} has no recipe`);
  const configs: readonly ComponentConfiguration[] = recipe.components ?? [];
  const components = [];
  for (const c of configs) {
    const doc = await componentRecord(store, where, c.componentArn);
    components.push(
      componentFromText({
        name: doc.name!,
        version: doc.version!,
        arn: doc.arn!,
        text: doc.data ?? '',
        origin: doc.arn!,
        ...(c.parameters ? { parameters: c.parameters } : {}),
      }),
    );
  }
  const container = image.containerRecipe;
  await refuseHomePath(recipe.parentImage, home);
  return {
    kind: container ? 'container' : 'image',
    name: recipe.name!,
    version: recipe.version!,
    parent: await parseParentImage(recipe.parentImage, (arn) => earlierImage(store, home, arn, where.account)),
    components,
    ...(container?.dockerfileTemplateData ? { dockerfileTemplate: container.dockerfileTemplateData } : {}),
    ...(recipe.workingDirectory ? { workingDirectory: recipe.workingDirectory } : {}),
    runTests: image.imageTestsConfiguration?.imageTestsEnabled !== false,
    ...(!container ? diskSettings(image, diskFormatsOf(imageFormats)) : {}),
  };
}

/** The tag of a distribution configuration that adds disk formats AWS has no name for (qcow2, vhdx). */
export const DISK_FORMATS_TAG = 'ingot:disk-formats';

const AWS_DISK_FORMATS: Record<DiskImageFormat, DiskFormat> = { RAW: 'raw', VMDK: 'vmdk', VHD: 'vhd' };

/**
 * Disks an image recipe's build writes: the diskImageFormat of every distribution's
 * s3ExportConfiguration (RAW, VMDK, VHD), plus the distribution configuration's tag
 * `ingot:disk-formats` (any format of src/disk/formats/table.ts); the recipe's blockDeviceMappings size them.
 */
function diskSettings(
  image: Image,
  defaultFormats: readonly DiskFormat[],
): Pick<BuildRequest, 'diskFormats' | 'blockDeviceMappings' | 'bootMode' | 'cloudInit'> {
  const dist = image.distributionConfiguration;
  const formats = new Set<DiskFormat>();
  for (const d of dist?.distributions ?? [])
    if (d.s3ExportConfiguration) formats.add(AWS_DISK_FORMATS[d.s3ExportConfiguration.diskImageFormat]);
  const tag = dist?.tags?.[DISK_FORMATS_TAG];
  // `tar` in the tag: the rootfs tarball only (plus any S3 export disks); no tag: the default formats.
  const tagged = tag?.trim()
    ? parseDiskFormats(tag, `distribution configuration tag ${DISK_FORMATS_TAG}`, 'invalid-input')
    : undefined;
  for (const f of tagged ?? []) formats.add(f);
  if (!formats.size && tagged === undefined) for (const f of defaultFormats) formats.add(f);
  const mappings = image.imageRecipe?.blockDeviceMappings;
  return {
    ...bootOptionsFromTags(image.imageRecipe?.tags, `image recipe ${image.imageRecipe?.arn ?? ''}`),
    ...(formats.size ? { diskFormats: [...formats] } : {}),
    ...(mappings?.length ? { blockDeviceMappings: mappings } : {}),
  };
}

/**
 * @module The managed catalogue (owner Amazon, ARN account `aws`): Ingot's Debian base images and
 * managed components, present in every region from the first request that names the region.
 */
import { formatArn, workflowName } from '../../arn/arn.ts';
import { MANAGED_BASES, type ManagedBase } from '../../bases/catalogue.ts';
import type { Component, Image, Workflow } from '../../model/generated/shapes.ts';
import type { Store } from '../../store/types.ts';
import { MANAGED_COMPONENTS } from '../../toe/managed/index.ts';
import { publishedVersions } from '../../toe/managed/published.ts';
import { MANAGED_WORKFLOWS, type ManagedWorkflow } from '../../workflows/managed.ts';
import { checkComponentDocument } from '../components/document.ts';
import { checkWorkflow, parameterDetails } from '../workflows/workflows.ts';
import { MANAGED_ACCOUNT } from '../common/context.ts';

/** The version every managed catalogue entry has until a refresh adds newer builds. */
const CATALOGUE_VERSION = '1.0.0';
const CATALOGUE_DATE = '2026-11-01T00:00:00.000Z';

const seeded = new WeakMap<Store, Map<string, Promise<void>>>();

export function ensureManagedCatalogue(store: Store, region: string): Promise<void> {
  let regions = seeded.get(store);
  if (!regions) seeded.set(store, (regions = new Map()));
  // Concurrent first requests of one region share one seeding.
  let done = regions.get(region);
  if (!done) {
    done = seed(store, region);
    regions.set(region, done);
    done.catch(() => regions.delete(region));
  }
  return done;
}

async function seed(store: Store, region: string): Promise<void> {
  await store.transaction(async () => {
    // Other servers on the same database may seed the region at the same moment: one at a time.
    await store.idempotency.lock('managed-catalogue', region);
    for (const base of MANAGED_BASES)
      await insertIfMissing(
        store,
        region,
        'image',
        base.arnNameSuffix,
        CATALOGUE_VERSION,
        managedImageDoc(region, base),
      );
    // Every version number AWS published resolves (to Ingot's document), so pinned recipes work.
    for (const c of MANAGED_COMPONENTS)
      for (const version of publishedVersions(c.name))
        await insertIfMissing(store, region, 'component', c.name, version, managedComponentDoc(region, c, version));
    for (const w of MANAGED_WORKFLOWS)
      await insertIfMissing(
        store,
        region,
        'workflow',
        workflowName(w.type, w.name),
        w.semanticVersion,
        managedWorkflowDoc(region, w),
      );
  });
}

async function insertIfMissing(
  store: Store,
  region: string,
  type: 'image' | 'component' | 'workflow',
  name: string,
  version: string,
  doc: { arn?: string },
): Promise<void> {
  const arn = doc.arn!;
  if (await store.resources.get(arn)) return;
  await store.resources.insert({
    arn,
    type,
    account: MANAGED_ACCOUNT,
    region,
    name,
    version,
    build: 1,
    doc,
    createdAt: CATALOGUE_DATE,
    updatedAt: CATALOGUE_DATE,
  });
}

function managedImageDoc(region: string, base: ManagedBase): Image {
  return {
    arn: formatArn({
      region,
      account: MANAGED_ACCOUNT,
      type: 'image',
      name: base.arnNameSuffix,
      version: CATALOGUE_VERSION,
      build: 1,
    }),
    type: 'AMI',
    name: base.arnNameSuffix,
    version: CATALOGUE_VERSION,
    platform: 'Linux',
    osVersion: base.osVersion,
    state: { status: 'AVAILABLE' },
    dateCreated: CATALOGUE_DATE,
    outputResources: {},
    tags: { 'ingot:base': base.name },
    buildType: 'IMPORT',
    imageSource: 'AMAZON_MANAGED',
  };
}

function managedComponentDoc(region: string, c: (typeof MANAGED_COMPONENTS)[number], version: string): Component {
  const facts = checkComponentDocument(c.data, `managed component ${c.name}`);
  return {
    arn: formatArn({
      region,
      account: MANAGED_ACCOUNT,
      type: 'component',
      name: c.name,
      version,
      build: 1,
    }),
    name: c.name,
    version,
    description: c.description,
    type: facts.type,
    platform: c.platform,
    ...(c.supportedOsVersions ? { supportedOsVersions: [...c.supportedOsVersions] } : {}),
    state: { status: 'ACTIVE' },
    ...(facts.parameters.length ? { parameters: facts.parameters } : {}),
    owner: 'Amazon',
    data: c.data,
    encrypted: true,
    dateCreated: CATALOGUE_DATE,
  };
}

function managedWorkflowDoc(region: string, w: ManagedWorkflow): Workflow {
  const document = checkWorkflow(w.data, w.type);
  const name = workflowName(w.type, w.name);
  return {
    arn: `arn:aws:imagebuilder:${region}:${MANAGED_ACCOUNT}:workflow/${name}/${w.semanticVersion}/1`,
    name: w.name,
    version: w.semanticVersion,
    description: w.description,
    type: w.type,
    owner: 'Amazon',
    data: w.data,
    dateCreated: CATALOGUE_DATE,
    ...(document.parameters.length ? { parameters: parameterDetails(document.parameters) } : {}),
  };
}

/**
 * @module Applies one lifecycle action to one image: DEPRECATE / DISABLE change its state; DELETE
 * removes its artifacts from every region's site (and registry copies), its build outputs, then
 * marks it DELETED; AVAILABLE re-enables a deprecated or disabled image.
 */
import { rm } from 'node:fs/promises';
import { distributionTargets } from './targets.ts';
import { deleteRemoteImage } from '../distribution/registry.ts';
import type { Image, ImageStatus, LifecycleExecutionResourceActionName } from '../model/generated/shapes.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { ResourceRecord, Store } from '../store/types.ts';
import { imageOutputDir } from '../artifacts/output-dirs.ts';
import { assertTransition } from '../images/image-states.ts';

export interface LifecycleDeps {
  store: Store;
  home: string;
  config: () => IngotConfig;
}

const TARGET_STATE: Record<LifecycleExecutionResourceActionName, ImageStatus> = {
  DELETE: 'DELETED',
  DEPRECATE: 'DEPRECATED',
  DISABLE: 'DISABLED',
  AVAILABLE: 'AVAILABLE',
};

/** Deletes every copy of the image; returns what was removed. */
async function deleteArtifacts(deps: LifecycleDeps, record: ResourceRecord<Image>): Promise<string[]> {
  const removed: string[] = [];
  const config = deps.config();
  const image = record.doc;
  const { imageId, sites, remote } = distributionTargets(deps.home, config, image, record.account);
  for (const uri of remote) {
    await deleteRemoteImage(uri.uri, uri.registry);
    removed.push(uri.uri);
  }
  await rm(imageOutputDir(deps.home, image.arn!), { recursive: true, force: true });
  await deps.store.imageDocuments.deleteOfImage(image.arn!);
  await deps.store.buildLogs.deleteOfImage(image.arn!);
  for (const site of sites) {
    await site.removeImage(imageId);
    await site.prune();
    removed.push(site.location(imageId));
  }
  return removed;
}

/** Returns the image's new state, or throws with the reason the action failed. */
export async function applyAction(
  deps: LifecycleDeps,
  record: ResourceRecord<Image>,
  action: LifecycleExecutionResourceActionName,
  executionId: string,
): Promise<{ skipped: boolean; detail: string }> {
  const target = TARGET_STATE[action];
  if (record.doc.state?.status === target) return { skipped: true, detail: `already ${target}` };
  const detail =
    action === 'DELETE'
      ? `removed ${(await deleteArtifacts(deps, record)).join(', ') || 'nothing'}`
      : `state ${target}`;
  await deps.store.transaction(async () => {
    const now = await deps.store.resources.get<Image>(record.arn);
    if (!now) return;
    assertTransition(now.doc.state?.status, target, record.arn);
    const doc: Image = {
      ...now.doc,
      state: { status: target, reason: `Lifecycle execution ${executionId}: ${action}` },
      lifecycleExecutionId: executionId,
    };
    if (action === 'DEPRECATE') doc.deprecationTime = new Date().toISOString() as unknown as Date;
    if (action === 'DELETE') doc.outputResources = {};
    await deps.store.resources.update(record.arn, doc);
  });
  return { skipped: false, detail };
}

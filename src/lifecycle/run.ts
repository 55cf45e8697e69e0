/**
 * @module One lifecycle execution: select the policy's images, plan the actions, apply them (or,
 * for a preview, only record them as SKIPPED), and record the execution and each resource
 * (ListLifecycleExecutions, ListLifecycleExecutionResources, GetLifecycleExecution).
 */
import { randomUUID } from 'node:crypto';
import type { Image, LifecycleExecutionResourceActionName, LifecyclePolicy } from '../model/generated/shapes.ts';
import type { ResourceRecord } from '../store/types.ts';
import { applyAction, type LifecycleDeps } from './apply.ts';
import { planActions, type PlannedAction } from './rules.ts';
import { selectImages } from './select.ts';

export const newExecutionId = (): string => `lce-${randomUUID()}`;

interface Step {
  image: ResourceRecord<Image>;
  action: LifecycleExecutionResourceActionName;
  reason: string;
}

/** True when CancelLifecycleExecution has asked the execution to stop. */
async function isCancelling(deps: LifecycleDeps, id: string): Promise<boolean> {
  const doc = (await deps.store.lifecycleExecutions.get(id))?.doc as { state?: { status?: string } } | undefined;
  return doc?.state?.status === 'CANCELLING';
}

/** Applies the steps and records the execution under `policyArn` (a policy, or an image for ad-hoc updates). */
export async function execute(
  deps: LifecycleDeps,
  policyArn: string,
  steps: readonly Step[],
  preview: boolean,
  id = newExecutionId(),
): Promise<string> {
  const startTime = new Date().toISOString();
  // Ad-hoc updates (StartResourceStateUpdate) are keyed by the image ARN and name no policy.
  const base = {
    lifecycleExecutionId: id,
    ...(policyArn.includes(':lifecycle-policy/') ? { lifecyclePolicyArn: policyArn } : {}),
    startTime,
  };
  await deps.store.lifecycleExecutions.put(
    { id, policyArn, startedAt: startTime, doc: { ...base, state: { status: 'IN_PROGRESS' } } },
    [],
  );
  const resources: Record<string, unknown>[] = [];
  let failures = 0;
  let cancelled = false;
  for (const s of steps) {
    const started = new Date().toISOString();
    let state: { status: string; reason: string };
    // CancelLifecycleExecution marks the record CANCELLING; the steps not yet begun are skipped.
    cancelled ||= await isCancelling(deps, id);
    try {
      if (cancelled) state = { status: 'SKIPPED', reason: `cancelled before ${s.action}` };
      else if (preview) state = { status: 'SKIPPED', reason: `preview: would ${s.action} (${s.reason})` };
      else {
        const r = await applyAction(deps, s.image, s.action, id);
        state = { status: r.skipped ? 'SKIPPED' : 'SUCCESS', reason: `${s.reason}; ${r.detail}` };
      }
    } catch (err) {
      failures++;
      state = {
        status: 'FAILED',
        reason: `${s.action} failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000),
      };
    }
    const uris = (s.image.doc.outputResources?.containers ?? []).flatMap((c) => c.imageUris ?? []);
    resources.push({
      accountId: s.image.account,
      resourceId: s.image.arn,
      region: s.image.region,
      state,
      action: { name: s.action, reason: s.reason },
      ...(uris.length ? { imageUris: uris } : {}),
      startTime: started,
      endTime: new Date().toISOString(),
    });
  }
  const status = cancelled ? 'CANCELLED' : failures ? 'FAILED' : 'SUCCESS';
  const reason = cancelled
    ? 'cancelled by CancelLifecycleExecution'
    : failures
      ? `${failures} of ${steps.length} resource actions failed`
      : `${steps.length} resource(s) ${preview ? 'previewed' : 'processed'}`;
  await deps.store.lifecycleExecutions.put(
    {
      id,
      policyArn,
      startedAt: startTime,
      doc: {
        ...base,
        state: { status, reason },
        resourcesImpactedSummary: { hasImpactedResources: steps.length > 0 },
        endTime: new Date().toISOString(),
      },
    },
    resources,
  );
  return id;
}

export async function planPolicy(
  deps: LifecycleDeps,
  policy: ResourceRecord<LifecyclePolicy>,
  now = Date.now(),
): Promise<PlannedAction[]> {
  return planActions(policy.doc, await selectImages(deps.store, policy), now);
}

/** Runs (or previews) a policy now; returns the execution id. */
export async function runLifecyclePolicy(
  deps: LifecycleDeps,
  policy: ResourceRecord<LifecyclePolicy>,
  opts: { preview?: boolean; now?: number } = {},
): Promise<string> {
  const plan = await planPolicy(deps, policy, opts.now);
  const id = await execute(deps, policy.arn, plan, opts.preview === true);
  if (!opts.preview) {
    await deps.store.transaction(async () => {
      const now = await deps.store.resources.get<LifecyclePolicy>(policy.arn);
      if (now) await deps.store.resources.update(policy.arn, { ...now.doc, dateLastRun: new Date().toISOString() });
    });
  }
  return id;
}

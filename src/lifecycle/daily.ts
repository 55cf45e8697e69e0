/**
 * @module The daily lifecycle round: each policy is evaluated once per UTC day, at the first
 * scheduler round after midnight (its last run is kept in the schedule table under its ARN, so a
 * restart does not run it twice). ENABLED policies act; DISABLED ones run as a preview: the
 * execution lists what they would do (resources SKIPPED with 'preview: would ...').
 */
import type { LifecyclePolicy } from '../model/generated/shapes.ts';
import type { LifecycleDeps } from './apply.ts';
import { runLifecyclePolicy } from './run.ts';

const DAY = 86_400_000;
const nextMidnight = (t: number): number => Math.floor(t / DAY) * DAY + DAY;

export async function runDueLifecyclePolicies(
  deps: LifecycleDeps,
  now: number,
  onError?: (err: unknown) => void,
): Promise<string[]> {
  const ran: string[] = [];
  for (const policy of await deps.store.resources.allOfType<LifecyclePolicy>('lifecycle-policy')) {
    const state = await deps.store.schedules.get(policy.arn);
    if (!state || state.nextRun === null) {
      await deps.store.schedules.put({
        pipelineArn: policy.arn,
        nextRun: nextMidnight(now),
        lastFired: null,
        lastFingerprint: null,
      });
      continue;
    }
    if (state.nextRun > now) continue;
    const claimed = { ...state, nextRun: nextMidnight(now), lastFired: now };
    if (!(await deps.store.schedules.advance(policy.arn, state.nextRun, claimed))) continue;
    try {
      ran.push(await runLifecyclePolicy(deps, policy, { now, preview: policy.doc.status === 'DISABLED' }));
    } catch (err) {
      onError?.(err);
    }
  }
  return ran;
}

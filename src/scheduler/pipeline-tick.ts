/**
 * @module One scheduler decision for one pipeline at time `now`: when its cron expression matched
 * since the last decision, fire (EXPRESSION_MATCH_ONLY) or fire only if its dependency fingerprint
 * changed (EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE, AWS's default). Missed matches
 * (Ingot was down) collapse into one catch-up run; a compare-and-set on the stored next run makes
 * sure two schedulers never fire the same match.
 */
import type { ImagePipeline } from '../model/generated/shapes.ts';
import type { ServiceContext } from '../services/common/context.ts';
import { runPipeline } from '../services/pipelines/pipelines.ts';
import { nextRun } from '../services/pipelines/schedule.ts';
import type { ResourceRecord, Store } from '../store/types.ts';
import { dependencyFingerprint } from './fingerprint.ts';

export type TickResult =
  | 'not-scheduled'
  | 'initialised'
  | 'not-due'
  | 'lost-race'
  | 'disabled'
  | 'unchanged'
  | 'fired'
  | 'failed';

export interface TickDeps {
  store: Store;
  basesHome: string;
  notifyQueued?: () => void;
  onError?: (err: unknown) => void;
}

const iso = (t: number | null | undefined): string | undefined => (t == null ? undefined : new Date(t).toISOString());

async function updatePipeline(store: Store, arn: string, change: (doc: ImagePipeline) => ImagePipeline): Promise<void> {
  await store.transaction(async () => {
    const record = await store.resources.get<ImagePipeline>(arn);
    if (record) await store.resources.update(arn, change(record.doc));
  });
}

export async function tickPipeline(
  deps: TickDeps,
  record: ResourceRecord<ImagePipeline>,
  now: number,
): Promise<TickResult> {
  const pipeline = record.doc;
  const schedule = pipeline.schedule;
  if (!schedule?.scheduleExpression) return 'not-scheduled';
  const { store } = deps;
  const state = await store.schedules.get(record.arn);
  // A rate(...) counts from when the schedule was last set (EventBridge counts from the rule's creation).
  const anchor = new Date(pipeline.dateUpdated ?? pipeline.dateCreated ?? 0);
  const upcoming = nextRun(schedule, new Date(now), anchor)?.getTime() ?? null;
  if (!state || state.nextRun === null) {
    await store.schedules.put({
      pipelineArn: record.arn,
      nextRun: upcoming,
      lastFired: state?.lastFired ?? null,
      lastFingerprint: state?.lastFingerprint ?? null,
    });
    await updatePipeline(store, record.arn, (d) => ({
      ...d,
      ...(iso(upcoming) ? { dateNextRun: iso(upcoming)! } : {}),
    }));
    return 'initialised';
  }
  if (state.nextRun > now) return 'not-due';
  // Due (perhaps several matches ago): claim this match, skipping any others that were missed.
  const claimed = { ...state, nextRun: upcoming, lastFired: state.nextRun };
  if (!(await store.schedules.advance(record.arn, state.nextRun, claimed))) return 'lost-race';
  await updatePipeline(store, record.arn, (d) => ({ ...d, ...(iso(upcoming) ? { dateNextRun: iso(upcoming)! } : {}) }));
  if (pipeline.status === 'DISABLED') return 'disabled';
  const fingerprint = await dependencyFingerprint(store, deps.basesHome, pipeline, record.region, now);
  const onlyOnUpdates =
    (schedule.pipelineExecutionStartCondition ?? 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE') ===
    'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE';
  if (onlyOnUpdates && fingerprint === state.lastFingerprint && pipeline.lastRunStatus !== 'FAILED') return 'unchanged';
  const ctx: ServiceContext = {
    store,
    accountId: record.account,
    region: record.region,
    requestId: `scheduler-${now}`,
    ...(deps.notifyQueued ? { notifyQueued: deps.notifyQueued } : {}),
  };
  try {
    await runPipeline(ctx, pipeline, 'SCHEDULED');
  } catch (err) {
    deps.onError?.(err);
    await updatePipeline(store, record.arn, (d) => {
      const failures = (d.consecutiveFailures ?? 0) + 1;
      const limit = d.schedule?.autoDisablePolicy?.failureCount;
      return {
        ...d,
        lastRunStatus: 'FAILED',
        consecutiveFailures: failures,
        ...(limit && failures >= limit ? { status: 'DISABLED' as const } : {}),
      };
    });
    return 'failed';
  }
  await store.schedules.put({ ...claimed, lastFingerprint: fingerprint });
  await updatePipeline(store, record.arn, (d) => ({ ...d, dateLastRun: new Date(now).toISOString() }));
  return 'fired';
}

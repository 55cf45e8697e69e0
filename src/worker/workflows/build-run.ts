/**
 * @module One image build as workflows: the BUILD workflow, then the TEST workflows (one after
 * another; those of a parallelGroup together, at most 5 at once), while the engine runs each stage
 * when a step lets it; the `$.imagebuilder.*` system variables; a failed workflow as the error the
 * image's failure is classified from.
 */
import { DistributionFailed } from '../../distribution/distribute.ts';
import { BuildFailure } from '../../engine/failure.ts';
import { StageGate } from '../../engine/stage-gate.ts';
import type { Image } from '../../model/generated/shapes.ts';
import type { PlannedWorkflow } from './plan.ts';
import { runWorkflow, WorkflowFailed, type WorkflowRun } from './run-workflow.ts';
import { StepFailed } from './step-actions.ts';

/** BUILD then TEST workflows, with the engine running each stage when a step lets it. */
export async function runBuildAndTests<T>(
  plan: PlannedWorkflow[],
  log: (l: string) => void,
  run: Omit<WorkflowRun, 'actions'>,
  actions: (gate: StageGate) => WorkflowRun['actions'],
  startEngine: (gate: StageGate, testsInPlan: boolean) => Promise<T>,
): Promise<T> {
  const gate = new StageGate();
  const tests = plan.filter((w) => w.type === 'TEST');
  const testsInPlan = tests.some((w) => w.document.steps.some((s) => s.action === 'ExecuteComponents'));
  const engine = startEngine(gate, testsInPlan);
  engine.then(
    () => gate.finish(),
    (err: unknown) => gate.finish(err),
  );
  try {
    const withGate = { ...run, actions: actions(gate) };
    for (const w of plan.filter((p) => p.type === 'BUILD')) await runWorkflow(w, withGate);
    // The output image exists once the BUILD workflow is done, whatever its steps.
    await gate.run(['parent', 'build', 'validate', 'outputs']);
    for (const group of parallelGroups(tests))
      await Promise.all(
        group.map((w) =>
          runWorkflow(w, withGate).catch((err: unknown) => {
            if (w.onFailure !== 'CONTINUE') throw err;
            log(`test workflow ${w.arn} failed; its onFailure is CONTINUE: ${String(err)}`);
          }),
        ),
      );
    gate.release();
    return await engine;
  } catch (err) {
    gate.abort(err);
    await engine.catch(() => {});
    throw err;
  }
}

/** TEST workflows in run order: one after another, those of a parallelGroup together (at most 5 at once). */
function parallelGroups(tests: PlannedWorkflow[]): PlannedWorkflow[][] {
  const groups: PlannedWorkflow[][] = [];
  const byName = new Map<string, PlannedWorkflow[]>();
  for (const w of tests) {
    const named = w.parallelGroup ? byName.get(w.parallelGroup) : undefined;
    if (named && named.length < 5) named.push(w);
    else {
      const group = [w];
      groups.push(group);
      if (w.parallelGroup) byName.set(w.parallelGroup, group);
    }
  }
  return groups;
}

/** A failed workflow as the error its step met (engine and distribution errors keep their kind). */
export function engineError(err: unknown): unknown {
  if (!(err instanceof WorkflowFailed)) return err;
  if (!(err.cause instanceof StepFailed)) return err.cause;
  if (err.workflowType === 'DISTRIBUTION') return new DistributionFailed(`workflow step '${err.step}'`, err.message);
  return new BuildFailure(err.workflowType === 'TEST' ? 'test' : 'build', err.message);
}

/** The `$.imagebuilder.*` system variables of an image. */
export function systemVariables(image: Image): Record<string, unknown> {
  const arn = image.arn ?? '';
  const recipe = image.imageRecipe ?? image.containerRecipe;
  return {
    imageType: image.containerRecipe ? 'Docker' : 'AMI',
    imageName: image.name,
    imageVersionNumber: image.version,
    imageBuildNumber: Number(arn.split('/').pop()) || 1,
    platform: image.platform ?? 'Linux',
    sourceImageARN: recipe?.parentImage,
    collectImageMetadata: image.enhancedImageMetadataEnabled !== false,
    collectImageScanFindings: image.imageScanningConfiguration?.imageScanningEnabled === true,
    workingDirectory: recipe?.workingDirectory ?? '/tmp',
    terminateInstanceOnFailure: image.infrastructureConfiguration?.terminateInstanceOnFailure !== false,
    instanceProfileName: image.infrastructureConfiguration?.instanceProfileName,
    securityGroups: image.infrastructureConfiguration?.securityGroupIds ?? [],
    subnetId: image.infrastructureConfiguration?.subnetId,
    cloudWatchLogGroup: `/aws/imagebuilder/${image.name ?? ''}`,
    cloudWatchLogStream: `${image.version ?? ''}/${Number(arn.split('/').pop()) || 1}`,
    dateTime: new Date().toISOString(),
  };
}

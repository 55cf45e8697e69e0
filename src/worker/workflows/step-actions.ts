/**
 * @module What each workflow step action does in Ingot. Instance actions map onto the engine's
 * stages through the stage gate (LaunchInstance in a BUILD workflow = resolve and start from the
 * parent image; ExecuteComponents = the components' build and validate phases, or their test phases
 * in a fresh instance of the output in a TEST workflow; CreateImage = capture the outputs);
 * WaitForAction pauses until SendWorkflowStepAction; DistributeImage runs the distribution. Actions
 * that need AWS services fail with a message saying so.
 */
import { randomBytes } from 'node:crypto';
import type { StageGate } from '../../engine/stage-gate.ts';
import type { OutputResources } from '../../model/generated/shapes.ts';
import { STEP_ACTIONS, type WorkflowType } from '../../workflows/actions.ts';

/** What the actions of one build can reach. */
export interface ActionContext {
  /** The engine's stages (undefined when only the distribution runs). */
  gate: StageGate | undefined;
  imageArn: string;
  osVersion: () => string;
  distribute: (distributions?: unknown[]) => Promise<OutputResources>;
  /** Waits for SendWorkflowStepAction on this step (RESUME or STOP with a reason). */
  waitForAction: () => Promise<{ action: string; reason: string }>;
  log: (line: string) => void;
}

export class StepFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailed';
  }
}

type Outputs = Record<string, unknown>;
type Action = (inputs: Record<string, unknown>, ctx: ActionContext, type: WorkflowType) => Promise<Outputs>;

const done = { status: 'Success' };
const runCommandId = () => `ingot-${randomBytes(8).toString('hex')}`;

function needInstance(inputs: Record<string, unknown>): void {
  if (typeof inputs['instanceId'] !== 'string' || !inputs['instanceId'])
    throw new StepFailed("the input 'instanceId' is required (the instanceId output of a LaunchInstance step)");
}

function needGate(ctx: ActionContext, what: string): StageGate {
  if (!ctx.gate) throw new StepFailed(`${what} needs a build instance, and this run only distributes`);
  return ctx.gate;
}

const ACTIONS: Record<string, Action> = {
  async LaunchInstance(inputs, ctx, type) {
    if (inputs['imageIdOverride'] !== undefined || inputs['instanceTypesOverride'] !== undefined)
      throw new StepFailed(
        'imageIdOverride and instanceTypesOverride are not supported by Ingot (the recipe and infrastructure configuration choose them)',
      );
    // A BUILD instance starts from the parent image; a TEST instance starts inside its ExecuteComponents.
    if (type === 'BUILD') await needGate(ctx, 'LaunchInstance').run(['parent']);
    return { instanceId: `i-${randomBytes(8).toString('hex')}` };
  },
  async ExecuteComponents(inputs, ctx, type) {
    needInstance(inputs);
    await needGate(ctx, 'ExecuteComponents').run(type === 'TEST' ? ['test'] : ['build', 'validate']);
    return { runCommandId: runCommandId(), ...done, output: '' };
  },
  async CreateImage(inputs, ctx, type) {
    needInstance(inputs);
    if (type !== 'BUILD')
      throw new StepFailed('CreateImage captures the build instance: Ingot runs it in BUILD workflows only');
    await needGate(ctx, 'CreateImage').run(['outputs']);
    return { imageId: ctx.imageArn };
  },
  async TerminateInstance() {
    // Ingot's instances end with the stage that started them.
    return {};
  },
  async WaitForAction(inputs, ctx) {
    if (inputs['lambdaFunctionName'] !== undefined)
      throw new StepFailed(
        'WaitForAction with lambdaFunctionName is not supported by Ingot: it has no AWS Lambda to invoke',
      );
    const { action, reason } = await ctx.waitForAction();
    if (action === 'STOP') throw new StepFailed(`stopped by SendWorkflowStepAction${reason ? `: ${reason}` : ''}`);
    return { action, reason };
  },
  async SanitizeInstance(inputs) {
    needInstance(inputs);
    return { runCommandId: runCommandId(), ...done, output: '' };
  },
  async WaitForSSMAgent(inputs) {
    needInstance(inputs);
    return done;
  },
  async BootstrapInstanceForContainer(inputs) {
    needInstance(inputs);
    return { runCommandId: runCommandId(), ...done, output: '' };
  },
  async CollectImageMetadata(inputs, ctx) {
    needInstance(inputs);
    return { osVersion: ctx.osVersion(), associationId: '' };
  },
  async CollectImageScanFindings(inputs) {
    // The findings come from the image's SBOM in the evidence stage (ListImageScanFindings).
    needInstance(inputs);
    return { runCommandId: runCommandId(), ...done, output: '' };
  },
  async RunCommand() {
    throw new StepFailed(
      'RunCommand is not supported by Ingot yet: put the commands in a component (ExecuteComponents)',
    );
  },
  async DistributeImage(inputs, ctx) {
    const distributions = Array.isArray(inputs['distributions']) ? inputs['distributions'] : undefined;
    const out = await ctx.distribute(distributions);
    const distributedImages = [...(out.amis ?? []), ...(out.containers ?? [])].map((x) => ({
      ...x,
      status: 'Completed',
      step: 'Completed',
    }));
    return { distributedImages };
  },
  async DistributeContainerImage(_inputs, ctx) {
    const out = await ctx.distribute();
    return { status: 'Success', succeededRegions: (out.containers ?? []).map((c) => c.region), failedRegions: [] };
  },
  async ModifyImageAttributes(inputs) {
    return { modifiedImages: inputs['distributedImages'] ?? [] };
  },
  async ApplyImageConfigurations(inputs) {
    return { configuredImages: inputs['distributedImages'] ?? [] };
  },
};

/** Runs one step action; the AWS-only ones fail saying why. */
export async function runAction(
  action: string,
  inputs: Record<string, unknown>,
  ctx: ActionContext,
  type: WorkflowType,
): Promise<Outputs> {
  const known = STEP_ACTIONS[action];
  if (known?.unsupported) throw new StepFailed(`${action} is not supported by Ingot: ${known.unsupported}`);
  const run = ACTIONS[action];
  if (!run) throw new StepFailed(`${action} is not supported by Ingot`);
  return run(inputs, ctx, type);
}

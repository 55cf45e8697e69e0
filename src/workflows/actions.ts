/**
 * @module The step actions of Image Builder workflow documents: for each, its default and longest
 * timeout, the workflow types (stages) it may appear in, and whether Ingot can run it (those that
 * need AWS services validate, and fail at run time with a message saying so).
 */

export const WORKFLOW_TYPES = ['BUILD', 'TEST', 'DISTRIBUTION'] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

export interface StepAction {
  /** Default and longest `timeoutSeconds`. */
  defaultTimeout: number;
  maxTimeout: number;
  stages: readonly WorkflowType[];
  /** Why Ingot cannot run it, when it cannot. */
  unsupported?: string;
}

const ANY: readonly WorkflowType[] = WORKFLOW_TYPES;
const H = 3600;
const M = 60;

export const STEP_ACTIONS: Readonly<Record<string, StepAction>> = {
  LaunchInstance: { defaultTimeout: 75 * M, maxTimeout: 12 * H, stages: ANY },
  BootstrapInstanceForContainer: { defaultTimeout: 60 * M, maxTimeout: 12 * H, stages: ANY },
  ExecuteComponents: { defaultTimeout: 720 * M, maxTimeout: 24 * H, stages: ['BUILD', 'TEST'] },
  RunCommand: { defaultTimeout: 720 * M, maxTimeout: 12 * H, stages: ANY },
  RunSysPrep: {
    defaultTimeout: 60 * M,
    maxTimeout: 12 * H,
    stages: ANY,
    unsupported: 'RunSysPrep prepares Windows instances; Ingot builds Linux images',
  },
  SanitizeInstance: { defaultTimeout: 60 * M, maxTimeout: 12 * H, stages: ANY },
  CollectImageMetadata: { defaultTimeout: 30 * M, maxTimeout: 12 * H, stages: ANY },
  CollectImageScanFindings: { defaultTimeout: 120 * M, maxTimeout: 12 * H, stages: ['TEST'] },
  WaitForSSMAgent: { defaultTimeout: 60 * M, maxTimeout: 3 * H, stages: ANY },
  WaitForAction: { defaultTimeout: 3 * 24 * H, maxTimeout: 7 * 24 * H, stages: ANY },
  ExecuteStateMachine: {
    defaultTimeout: 6 * H,
    maxTimeout: 24 * H,
    stages: ANY,
    unsupported: 'ExecuteStateMachine runs an AWS Step Functions state machine, which Ingot has no access to',
  },
  CreateImage: { defaultTimeout: 720 * M, maxTimeout: 3 * 24 * H, stages: ANY },
  CreateImageFromIso: {
    defaultTimeout: 720 * M,
    maxTimeout: 12 * H,
    stages: ANY,
    unsupported: 'CreateImageFromIso installs Windows from an ISO; use ImportDiskImage for disks',
  },
  RegisterImage: {
    defaultTimeout: 540 * M,
    maxTimeout: 12 * H,
    stages: ANY,
    unsupported: 'RegisterImage registers an AMI from EBS snapshots, which Ingot has none of',
  },
  TerminateInstance: { defaultTimeout: 30 * M, maxTimeout: 12 * H, stages: ANY },
  DistributeImage: { defaultTimeout: 360 * M, maxTimeout: 12 * H, stages: ['DISTRIBUTION'] },
  ModifyImageAttributes: { defaultTimeout: 120 * M, maxTimeout: 3 * H, stages: ['DISTRIBUTION'] },
  ApplyImageConfigurations: { defaultTimeout: 360 * M, maxTimeout: 12 * H, stages: ['DISTRIBUTION'] },
  DistributeContainerImage: { defaultTimeout: 120 * M, maxTimeout: 12 * H, stages: ['DISTRIBUTION'] },
};

/**
 * @module The table of implemented operations: each binds an API operation to its service
 * function with a ServiceContext built from the authenticated request. Operations of the model
 * missing here answer NotImplementedException.
 */
import { audited } from '../audit/audit-log.ts';
import type { LifecycleDeps } from '../lifecycle/apply.ts';
import type { IngotConfig } from '../config/ingot-config.ts';
import type { Store } from '../store/types.ts';
import type { ServiceContext } from '../services/common/context.ts';
import type { DocumentSources } from '../services/components/document-uri.ts';
import { createComponent, importComponent } from '../services/components/create.ts';
import { deleteComponent, getComponentPolicy, putComponentPolicy } from '../services/components/delete-and-policy.ts';
import { getComponent, listComponentBuildVersions, listComponents } from '../services/components/read.ts';
import {
  createDistributionConfiguration,
  deleteDistributionConfiguration,
  getDistributionConfiguration,
  listDistributionConfigurations,
  updateDistributionConfiguration,
} from '../services/configurations/distribution.ts';
import {
  createInfrastructureConfiguration,
  deleteInfrastructureConfiguration,
  getInfrastructureConfiguration,
  listInfrastructureConfigurations,
  updateInfrastructureConfiguration,
} from '../services/configurations/infrastructure.ts';
import {
  cancelImageCreation,
  createImage,
  deleteImage,
  getImage,
  listImageBuildVersions,
  listImages,
} from '../services/images/images.ts';
import { importDiskImage, importVmImage } from '../services/images/import-disk-image.ts';
import { ensureManagedCatalogue } from '../services/managed/catalogue.ts';
import { getMarketplaceResource } from '../services/managed/marketplace.ts';
import { listImagePackages } from '../services/images/packages.ts';
import {
  getContainerRecipePolicy,
  getImagePolicy,
  getImageRecipePolicy,
  putContainerRecipePolicy,
  putImagePolicy,
  putImageRecipePolicy,
} from '../services/policies/operations.ts';
import {
  createImagePipeline,
  deleteImagePipeline,
  getImagePipeline,
  listImagePipelineImages,
  listImagePipelines,
  startImagePipelineExecution,
  updateImagePipeline,
} from '../services/pipelines/pipelines.ts';
import { checkContainerTargets, type TargetRefs } from '../services/pipelines/check-targets.ts';
import { distributeImage, retryImage } from '../services/pipelines/distribute-retry.ts';
import {
  cancelLifecycleExecution,
  getLifecycleExecution,
  listLifecycleExecutionResources,
  listLifecycleExecutions,
  startResourceStateUpdate,
} from '../services/lifecycle/executions.ts';
import {
  createLifecyclePolicy,
  deleteLifecyclePolicy,
  getLifecyclePolicy,
  listLifecyclePolicies,
  updateLifecyclePolicy,
} from '../services/lifecycle/policies.ts';
import {
  createContainerRecipe,
  deleteContainerRecipe,
  getContainerRecipe,
  listContainerRecipes,
} from '../services/recipes/container-recipes.ts';
import {
  createImageRecipe,
  deleteImageRecipe,
  getImageRecipe,
  listImageRecipes,
} from '../services/recipes/image-recipes.ts';
import { listImageScanFindingAggregations, listImageScanFindings } from '../services/findings/scan-findings.ts';
import { listTagsForResource, tagResource, untagResource } from '../services/tags/tags.ts';
import {
  getWorkflowExecution,
  getWorkflowStepExecution,
  listWaitingWorkflowSteps,
  listWorkflowExecutions,
  listWorkflowStepExecutions,
  sendWorkflowStepAction,
} from '../services/workflows/executions.ts';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listWorkflowBuildVersions,
  listWorkflows,
} from '../services/workflows/workflows.ts';
import type {
  ListImagePackagesRequest,
  ListImageScanFindingAggregationsRequest,
  ListImageScanFindingsRequest,
} from '../model/generated/shapes.ts';
import type { LogsHandler, OperationHandlers, RequestContext } from './app.ts';
import { runLogsOperation } from './logs/json-protocol.ts';

export interface HandlerDeps {
  store: Store;
  /** Wakes the in-process worker when an image is queued. */
  notifyQueued?: () => void;
  /** INGOT_HOME (artifact sites), for lifecycle actions. */
  home?: string;
  /** Ingot's configuration now (sites, registries). */
  config?: () => IngotConfig;
  /** Where component documents named by a `uri` are read from. */
  documentSources?: DocumentSources;
}

/** The CloudWatch Logs subset over the build logs in the store (api/logs/). */
export function createLogsHandler(deps: HandlerDeps): LogsHandler {
  return async (target, body, caller) => runLogsOperation(target, body, { store: deps.store, ...caller });
}

export function createHandlers(deps: HandlerDeps): OperationHandlers {
  const contextOf = async (r: RequestContext): Promise<ServiceContext> => {
    await ensureManagedCatalogue(deps.store, r.region);
    return {
      store: deps.store,
      accountId: r.accountId,
      region: r.region,
      requestId: r.requestId,
      ...(deps.notifyQueued ? { notifyQueued: deps.notifyQueued } : {}),
      ...(deps.documentSources ? { documentSources: deps.documentSources } : {}),
    };
  };
  // Every mutating call is appended to the audit log (who, what, when, from where, outcome).
  const bind =
    <I, O>(fn: (ctx: ServiceContext, input: I) => Promise<O>) =>
    async (input: I, r: RequestContext): Promise<O> =>
      audited(deps.store, r, input, async () => fn(await contextOf(r), input));
  const lifecycleDeps = (): LifecycleDeps => {
    if (!deps.home) throw new Error('lifecycle actions need the server home (HandlerDeps.home)');
    return { store: deps.store, home: deps.home, config: deps.config ?? (() => ({})) };
  };
  // Container builds whose distribution names a repository without a configured registry are refused up front.
  const bindChecked = <I extends TargetRefs, O>(fn: (ctx: ServiceContext, input: I) => Promise<O>) =>
    bind(async (ctx: ServiceContext, input: I) => {
      await checkContainerTargets(ctx, input, deps.config?.() ?? {});
      return fn(ctx, input);
    });
  const bindLifecycle = <I, O>(fn: (ctx: ServiceContext, input: I, l: LifecycleDeps) => Promise<O>) =>
    bind((ctx: ServiceContext, input: I) => fn(ctx, input, lifecycleDeps()));

  return {
    CreateComponent: bind(createComponent),
    ImportComponent: bind(importComponent),
    GetComponent: bind(getComponent),
    ListComponents: bind(listComponents),
    ListComponentBuildVersions: bind(listComponentBuildVersions),
    DeleteComponent: bind(deleteComponent),
    GetComponentPolicy: bind(getComponentPolicy),
    PutComponentPolicy: bind(putComponentPolicy),

    CreateImageRecipe: bind(createImageRecipe),
    GetImageRecipe: bind(getImageRecipe),
    ListImageRecipes: bind(listImageRecipes),
    DeleteImageRecipe: bind(deleteImageRecipe),
    CreateContainerRecipe: bind(createContainerRecipe),
    GetContainerRecipe: bind(getContainerRecipe),
    ListContainerRecipes: bind(listContainerRecipes),
    DeleteContainerRecipe: bind(deleteContainerRecipe),
    GetImageRecipePolicy: bind(getImageRecipePolicy),
    PutImageRecipePolicy: bind(putImageRecipePolicy),
    GetContainerRecipePolicy: bind(getContainerRecipePolicy),
    PutContainerRecipePolicy: bind(putContainerRecipePolicy),

    CreateInfrastructureConfiguration: bind(createInfrastructureConfiguration),
    UpdateInfrastructureConfiguration: bind(updateInfrastructureConfiguration),
    GetInfrastructureConfiguration: bind(getInfrastructureConfiguration),
    ListInfrastructureConfigurations: bind(listInfrastructureConfigurations),
    DeleteInfrastructureConfiguration: bind(deleteInfrastructureConfiguration),
    CreateDistributionConfiguration: bind(createDistributionConfiguration),
    UpdateDistributionConfiguration: bind(updateDistributionConfiguration),
    GetDistributionConfiguration: bind(getDistributionConfiguration),
    ListDistributionConfigurations: bind(listDistributionConfigurations),
    DeleteDistributionConfiguration: bind(deleteDistributionConfiguration),

    CreateImagePipeline: bindChecked(createImagePipeline),
    UpdateImagePipeline: bindChecked(updateImagePipeline),
    GetImagePipeline: bind(getImagePipeline),
    ListImagePipelines: bind(listImagePipelines),
    DeleteImagePipeline: bind(deleteImagePipeline),
    StartImagePipelineExecution: bind(startImagePipelineExecution),
    ListImagePipelineImages: bind(listImagePipelineImages),

    CreateImage: bindChecked(createImage),
    GetImage: bind(getImage),
    ListImages: bind(listImages),
    ListImageBuildVersions: bind(listImageBuildVersions),
    DeleteImage: bind(deleteImage),
    CancelImageCreation: bind(cancelImageCreation),
    DistributeImage: bind(distributeImage),
    RetryImage: bind(retryImage),
    ImportDiskImage: bind(importDiskImage),
    ImportVmImage: bind(importVmImage),
    GetImagePolicy: bind(getImagePolicy),
    PutImagePolicy: bind(putImagePolicy),
    ListImagePackages: bind((ctx, input: ListImagePackagesRequest) => listImagePackages(ctx, input, deps.home)),
    GetMarketplaceResource: bind(getMarketplaceResource),

    CreateLifecyclePolicy: bind(createLifecyclePolicy),
    GetLifecyclePolicy: bind(getLifecyclePolicy),
    ListLifecyclePolicies: bind(listLifecyclePolicies),
    UpdateLifecyclePolicy: bind(updateLifecyclePolicy),
    DeleteLifecyclePolicy: bind(deleteLifecyclePolicy),
    GetLifecycleExecution: bind(getLifecycleExecution),
    ListLifecycleExecutions: bind(listLifecycleExecutions),
    ListLifecycleExecutionResources: bind(listLifecycleExecutionResources),
    CancelLifecycleExecution: bind(cancelLifecycleExecution),
    StartResourceStateUpdate: bindLifecycle(startResourceStateUpdate),

    CreateWorkflow: bind(createWorkflow),
    GetWorkflow: bind(getWorkflow),
    ListWorkflows: bind(listWorkflows),
    ListWorkflowBuildVersions: bind(listWorkflowBuildVersions),
    DeleteWorkflow: bind(deleteWorkflow),
    GetWorkflowExecution: bind(getWorkflowExecution),
    ListWorkflowExecutions: bind(listWorkflowExecutions),
    GetWorkflowStepExecution: bind(getWorkflowStepExecution),
    ListWorkflowStepExecutions: bind(listWorkflowStepExecutions),
    ListWaitingWorkflowSteps: bind(listWaitingWorkflowSteps),
    SendWorkflowStepAction: bind(sendWorkflowStepAction),

    TagResource: bind(tagResource),
    UntagResource: bind(untagResource),
    ListTagsForResource: bind(listTagsForResource),

    ListImageScanFindings: bind((ctx, input: ListImageScanFindingsRequest) =>
      listImageScanFindings(ctx, input, { home: deps.home }),
    ),
    ListImageScanFindingAggregations: bind((ctx, input: ListImageScanFindingAggregationsRequest) =>
      listImageScanFindingAggregations(ctx, input, { home: deps.home }),
    ),
  };
}

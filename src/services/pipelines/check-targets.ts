/**
 * @module Create-time check of container distribution targets: for a container recipe, every
 * region of the distribution configuration that names a target repository needs an OCI registry
 * in Ingot's config.json, or the build could only fail later. Used by CreateImage,
 * CreateImagePipeline and UpdateImagePipeline.
 */
import { registryFor } from '../../distribution/registry.ts';
import type { DistributionConfiguration } from '../../model/generated/shapes.ts';
import type { IngotConfig } from '../../config/ingot-config.ts';
import { readResource } from '../common/access.ts';
import type { ServiceContext } from '../common/context.ts';

export interface TargetRefs {
  containerRecipeArn?: string | undefined;
  distributionConfigurationArn?: string | undefined;
}

export async function checkContainerTargets(
  ctx: ServiceContext,
  input: TargetRefs,
  config: IngotConfig,
): Promise<void> {
  if (input.containerRecipeArn === undefined || input.distributionConfigurationArn === undefined) return;
  const dist = await readResource<DistributionConfiguration>(
    ctx,
    input.distributionConfigurationArn,
    'distributionConfigurationArn',
    'distribution-configuration',
  );
  for (const d of dist.doc.distributions ?? []) {
    const repo = d.containerDistributionConfiguration?.targetRepository;
    if (repo) registryFor(config.registries ?? [], repo.service, d.region, repo.repositoryName, ctx.accountId);
  }
}

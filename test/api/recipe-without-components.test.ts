/**
 * @module An image recipe without components (the model makes them optional: a parent image rebuilt as
 * is) is stored without a `components` list, so GetImageRecipe, GetImage and ListImageBuildVersions
 * pass the server's own output check (an empty list broke its `min: 1`, answering 500).
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';

test('a recipe without components: GetImageRecipe, GetImage and ListImageBuildVersions answer valid shapes', async () => {
  const t = await startTestServer();
  try {
    const c = t.client();
    const { imageRecipeArn } = await c.send(
      new ib.CreateImageRecipeCommand({
        name: 'bare',
        semanticVersion: '1.0.0',
        parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
        clientToken: 'bare-recipe',
      }),
    );
    const { infrastructureConfigurationArn } = await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name: 'bare-infra',
        instanceProfileName: 'ingot',
        clientToken: 'bare-infra',
      }),
    );
    const { imageBuildVersionArn } = await c.send(
      new ib.CreateImageCommand({ imageRecipeArn, infrastructureConfigurationArn, clientToken: 'bare-image' }),
    );
    const recipe = await c.send(new ib.GetImageRecipeCommand({ imageRecipeArn }));
    assert.equal(recipe.imageRecipe?.components, undefined);
    const image = await c.send(new ib.GetImageCommand({ imageBuildVersionArn }));
    assert.equal(image.image?.imageRecipe?.arn, imageRecipeArn);
    assert.equal(image.image?.imageRecipe?.components, undefined);
    const versions = await c.send(
      new ib.ListImageBuildVersionsCommand({ imageVersionArn: imageBuildVersionArn!.replace(/\/\d+$/, '') }),
    );
    assert.equal(versions.imageSummaryList?.length, 1);
  } finally {
    await t.server.close();
  }
});

/**
 * @module The version-drift banner of a pipeline: a newer version of its recipe, or of a component
 * its recipe uses, than the pipeline builds (List*Recipes / ListComponents filtered by name).
 */
import {
  GetContainerRecipeCommand,
  GetImageRecipeCommand,
  ListComponentsCommand,
  ListContainerRecipesCommand,
  ListImageRecipesCommand,
} from '@aws-sdk/client-imagebuilder';
import Alert from '@cloudscape-design/components/alert';
import type { ReactNode } from 'react';
import type { Clients } from '../session.ts';
import { firstItems, useLoad } from '../ui.tsx';

/** `name` and `version` of `arn:…:TYPE/NAME/VERSION[/BUILD]`. */
function nameVersion(arn: string): { name: string; version: string } {
  const [, name = '', version = ''] = (arn.split(':').pop() ?? '').split('/');
  return { name, version };
}

const newer = (a: string, b: string): boolean => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

const newest = (versions: (string | undefined)[]): string =>
  versions.reduce<string>((best, v) => (v && /^\d+\.\d+\.\d+$/.test(v) && newer(v, best) ? v : best), '0.0.0');

async function drift(c: Clients, recipeArn: string): Promise<string[]> {
  const container = recipeArn.includes(':container-recipe/');
  const used = nameVersion(recipeArn);
  const filters = [{ name: 'name', values: [used.name] }];
  const recipes = await firstItems<{ arn?: string | undefined }>(async (nextToken) => {
    if (container) {
      const r = await c.ib.send(new ListContainerRecipesCommand({ filters, maxResults: 25, nextToken }));
      return { items: r.containerRecipeSummaryList ?? [], nextToken: r.nextToken };
    }
    const r = await c.ib.send(new ListImageRecipesCommand({ filters, maxResults: 25, nextToken }));
    return { items: r.imageRecipeSummaryList ?? [], nextToken: r.nextToken };
  });
  const found: string[] = [];
  const latest = newest(recipes.map((r) => nameVersion(r.arn ?? '').version));
  if (newer(latest, used.version)) found.push(`recipe ${used.name} ${latest} (the pipeline builds ${used.version})`);
  const recipe = container
    ? (await c.ib.send(new GetContainerRecipeCommand({ containerRecipeArn: recipeArn }))).containerRecipe
    : (await c.ib.send(new GetImageRecipeCommand({ imageRecipeArn: recipeArn }))).imageRecipe;
  for (const comp of recipe?.components ?? []) {
    const arn = comp.componentArn ?? '';
    if (arn.includes(':aws:component/')) continue; // managed components: Ingot's catalogue
    const usedComp = nameVersion(arn);
    if (!/^\d+\.\d+\.\d+$/.test(usedComp.version)) continue; // x.x.x and the like always take the newest
    const versions = await firstItems(async (nextToken) => {
      const r = await c.ib.send(
        new ListComponentsCommand({ filters: [{ name: 'name', values: [usedComp.name] }], maxResults: 25, nextToken }),
      );
      return { items: r.componentVersionList ?? [], nextToken: r.nextToken };
    });
    const latestComp = newest(versions.map((v) => v.version));
    if (newer(latestComp, usedComp.version)) {
      found.push(`component ${usedComp.name} ${latestComp} (the recipe uses ${usedComp.version})`);
    }
  }
  return found;
}

export function DriftBanner({ c, recipeArn }: { c: Clients; recipeArn: string }): ReactNode {
  const got = useLoad(() => drift(c, recipeArn), [recipeArn]);
  if (!got.data?.length) return null;
  return (
    <Alert type="info" header="Newer versions exist">
      <span data-testid="drift">
        {got.data.join('; ')}. Create a recipe version that uses them and point the pipeline at it to build them.
      </span>
    </Alert>
  );
}

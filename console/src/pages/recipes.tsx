/**
 * @module Recipes: image and container recipes (paged lists), a recipe's document, and a create
 * form (name, version, kind, parent image, components picked from the account's components).
 */
import {
  CreateContainerRecipeCommand,
  CreateImageRecipeCommand,
  GetContainerRecipeCommand,
  GetImageRecipeCommand,
  ListComponentsCommand,
  ListContainerRecipesCommand,
  ListImageRecipesCommand,
} from '@aws-sdk/client-imagebuilder';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Multiselect, { type MultiselectProps } from '@cloudscape-design/components/multiselect';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { type ReactNode, useState } from 'react';
import type { Clients } from '../session.ts';
import {
  CreateForm,
  ApiError,
  arnTail,
  errorText,
  firstItems,
  clientToken,
  href,
  PagedTable,
  useLoad,
  when,
} from '../ui.tsx';

interface RecipeRow {
  arn?: string | undefined;
  name?: string | undefined;
  parentImage?: string | undefined;
  dateCreated?: string | undefined;
}

export function RecipesPage({ c }: { c: Clients }): ReactNode {
  const columns = [
    {
      id: 'name',
      header: 'Name',
      cell: (v: RecipeRow) => <Link href={href('recipes', v.arn ?? '')}>{v.name}</Link>,
    },
    { id: 'version', header: 'Version', cell: (v: RecipeRow) => v.arn?.split('/').pop() },
    { id: 'parent', header: 'Parent image', cell: (v: RecipeRow) => v.parentImage },
    { id: 'created', header: 'Created', cell: (v: RecipeRow) => when(v.dateCreated) },
  ];
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        actions={
          <Button variant="primary" href="#/recipes/create">
            Create recipe
          </Button>
        }
      >
        Recipes
      </Header>
      <PagedTable
        header={<Header variant="h2">Container recipes</Header>}
        empty="No container recipes"
        fetchPage={async (nextToken): Promise<{ items: RecipeRow[]; nextToken?: string }> => {
          const r = await c.ib.send(new ListContainerRecipesCommand({ maxResults: 25, nextToken }));
          return { items: r.containerRecipeSummaryList ?? [], nextToken: r.nextToken };
        }}
        columns={columns}
      />
      <PagedTable
        header={<Header variant="h2">Image recipes</Header>}
        empty="No image recipes"
        fetchPage={async (nextToken): Promise<{ items: RecipeRow[]; nextToken?: string }> => {
          const r = await c.ib.send(new ListImageRecipesCommand({ maxResults: 25, nextToken }));
          return { items: r.imageRecipeSummaryList ?? [], nextToken: r.nextToken };
        }}
        columns={columns}
      />
    </SpaceBetween>
  );
}

export function RecipeDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const container = arn.includes(':container-recipe/');
  const got = useLoad(
    async () =>
      container
        ? (await c.ib.send(new GetContainerRecipeCommand({ containerRecipeArn: arn }))).containerRecipe
        : (await c.ib.send(new GetImageRecipeCommand({ imageRecipeArn: arn }))).imageRecipe,
    [arn],
  );
  return (
    <SpaceBetween size="l">
      <Header variant="h1">{arnTail(arn)}</Header>
      <ApiError error={got.error} />
      {got.data && (
        <Container header={<Header variant="h2">{container ? 'Container recipe' : 'Image recipe'}</Header>}>
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(got.data, null, 2)}</pre>
        </Container>
      )}
    </SpaceBetween>
  );
}

const DOCKERFILE = 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCMD ["/bin/sh"]\n';

export function RecipeCreatePage({ c }: { c: Clients }): ReactNode {
  const [kind, setKind] = useState('container');
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0.0');
  const [parent, setParent] = useState('arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x');
  const [picked, setPicked] = useState<readonly MultiselectProps.Option[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const comps = useLoad(
    () =>
      firstItems(async (nextToken) => {
        const r = await c.ib.send(new ListComponentsCommand({ maxResults: 25, nextToken }));
        return { items: r.componentVersionList ?? [], nextToken: r.nextToken };
      }),
    [],
  );
  const options = (comps.data ?? []).map((v) => ({
    label: `${v.name} ${v.version}`,
    value: v.arn ?? '',
  }));
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const components = picked.map((o) => ({ componentArn: o.value ?? '' }));
      const common = { name, semanticVersion: version, parentImage: parent, components, clientToken: clientToken() };
      const arn =
        kind === 'container'
          ? (
              await c.ib.send(
                new CreateContainerRecipeCommand({
                  ...common,
                  containerType: 'DOCKER',
                  dockerfileTemplateData: DOCKERFILE,
                  targetRepository: { service: 'ECR', repositoryName: name },
                }),
              )
            ).containerRecipeArn
          : (await c.ib.send(new CreateImageRecipeCommand(common))).imageRecipeArn;
      window.location.hash = href('recipes', arn ?? '');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <CreateForm title="Create recipe" action="Create recipe" busy={busy} error={error} onSubmit={submit}>
      <FormField label="Output">
        <SegmentedControl
          selectedId={kind}
          onChange={(e) => setKind(e.detail.selectedId)}
          label="Recipe kind"
          options={[
            { id: 'container', text: 'Container image' },
            { id: 'image', text: 'Machine image' },
          ]}
        />
      </FormField>
      <FormField label="Name" controlId="recipe-name">
        <Input controlId="recipe-name" value={name} onChange={(e) => setName(e.detail.value)} />
      </FormField>
      <FormField label="Semantic version" controlId="recipe-version">
        <Input controlId="recipe-version" value={version} onChange={(e) => setVersion(e.detail.value)} />
      </FormField>
      <FormField label="Parent image" controlId="recipe-parent">
        <Input controlId="recipe-parent" value={parent} onChange={(e) => setParent(e.detail.value)} />
      </FormField>
      <FormField label="Components" controlId="recipe-components">
        <Multiselect
          controlId="recipe-components"
          selectedOptions={picked}
          onChange={(e) => setPicked(e.detail.selectedOptions)}
          options={options}
          statusType={comps.loading ? 'loading' : comps.error ? 'error' : 'finished'}
          errorText={comps.error ? errorText(comps.error).message : undefined}
          filteringType="auto"
          placeholder="Choose components"
          ariaLabel="Components"
        />
      </FormField>
    </CreateForm>
  );
}

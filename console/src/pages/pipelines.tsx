/**
 * @module Image pipelines: the list (paged), a pipeline's detail (schedule, next run, recipe and
 * configurations, run history, run now, enable/disable, a banner when a newer recipe or
 * component version exists) and a create form.
 */
import {
  CreateImagePipelineCommand,
  CreateInfrastructureConfigurationCommand,
  GetImagePipelineCommand,
  ListContainerRecipesCommand,
  ListImagePipelineImagesCommand,
  ListImagePipelinesCommand,
  ListImageRecipesCommand,
  ListInfrastructureConfigurationsCommand,
  StartImagePipelineExecutionCommand,
  UpdateImagePipelineCommand,
} from '@aws-sdk/client-imagebuilder';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { type ReactNode, useState } from 'react';
import type { Clients } from '../session.ts';
import { DriftBanner } from './drift.tsx';
import {
  CreateForm,
  ApiError,
  arnTail,
  firstItems,
  clientToken,
  errorText,
  href,
  PagedTable,
  Status,
  useLoad,
  when,
} from '../ui.tsx';

export function PipelinesPage({ c }: { c: Clients }): ReactNode {
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        actions={
          <Button variant="primary" href="#/pipelines/create">
            Create pipeline
          </Button>
        }
      >
        Image pipelines
      </Header>
      <PagedTable
        header={<Header variant="h2">Pipelines</Header>}
        empty="No pipelines"
        trackBy="arn"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(new ListImagePipelinesCommand({ maxResults: 25, nextToken }));
          return { items: r.imagePipelineList ?? [], nextToken: r.nextToken };
        }}
        columns={[
          { id: 'name', header: 'Name', cell: (p) => <Link href={href('pipelines', p.arn ?? '')}>{p.name}</Link> },
          { id: 'status', header: 'Status', cell: (p) => <Status value={p.status} /> },
          { id: 'schedule', header: 'Schedule', cell: (p) => p.schedule?.scheduleExpression ?? 'manual' },
          { id: 'last', header: 'Last run', cell: (p) => when(p.dateLastRun) },
          { id: 'next', header: 'Next run', cell: (p) => when(p.dateNextRun) },
        ]}
      />
    </SpaceBetween>
  );
}

export function PipelineDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const got = useLoad(() => c.ib.send(new GetImagePipelineCommand({ imagePipelineArn: arn })), [arn]);
  const [flash, setFlash] = useState<FlashbarProps.MessageDefinition[]>([]);
  const [runs, setRuns] = useState(0);
  const p = got.data?.imagePipeline;
  const act = async (what: string, run: () => Promise<unknown>) => {
    try {
      const r = (await run()) as { imageBuildVersionArn?: string } | undefined;
      const link = r?.imageBuildVersionArn ? (
        <Link href={href('images', 'build', r.imageBuildVersionArn)}>{arnTail(r.imageBuildVersionArn)}</Link>
      ) : null;
      setFlash([
        {
          type: 'success',
          id: what,
          dismissible: true,
          dismissLabel: 'Dismiss',
          onDismiss: () => setFlash([]),
          content: (
            <>
              {what}: done {link}
            </>
          ),
        },
      ]);
      got.reload();
      setRuns((n) => n + 1);
    } catch (err) {
      const e = errorText(err);
      setFlash([
        {
          type: 'error',
          id: what,
          dismissible: true,
          dismissLabel: 'Dismiss',
          onDismiss: () => setFlash([]),
          header: e.title,
          content: e.message,
        },
      ]);
    }
  };
  const toggle = () =>
    c.ib.send(
      new UpdateImagePipelineCommand({
        imagePipelineArn: arn,
        imageRecipeArn: p?.imageRecipeArn,
        containerRecipeArn: p?.containerRecipeArn,
        infrastructureConfigurationArn: p?.infrastructureConfigurationArn,
        distributionConfigurationArn: p?.distributionConfigurationArn,
        imageTestsConfiguration: p?.imageTestsConfiguration,
        schedule: p?.schedule,
        description: p?.description,
        enhancedImageMetadataEnabled: p?.enhancedImageMetadataEnabled,
        status: p?.status === 'DISABLED' ? 'ENABLED' : 'DISABLED',
        clientToken: clientToken(),
      }),
    );
  return (
    <SpaceBetween size="l">
      <Flashbar items={flash} />
      <ApiError error={got.error} />
      <Header
        variant="h1"
        actions={
          p && (
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => act(p.status === 'DISABLED' ? 'Enable' : 'Disable', toggle)}>
                {p.status === 'DISABLED' ? 'Enable' : 'Disable'}
              </Button>
              <Button
                variant="primary"
                onClick={() =>
                  act('Run pipeline', () =>
                    c.ib.send(
                      new StartImagePipelineExecutionCommand({ imagePipelineArn: arn, clientToken: clientToken() }),
                    ),
                  )
                }
              >
                Run pipeline
              </Button>
            </SpaceBetween>
          )
        }
      >
        {p?.name ?? arnTail(arn)}
      </Header>
      {p && (p.containerRecipeArn ?? p.imageRecipeArn) && (
        <DriftBanner c={c} recipeArn={(p.containerRecipeArn ?? p.imageRecipeArn)!} />
      )}
      {p && (
        <Container header={<Header variant="h2">Details</Header>}>
          <KeyValuePairs
            columns={3}
            items={[
              { label: 'Status', value: <Status value={p.status} /> },
              { label: 'Schedule', value: p.schedule?.scheduleExpression ?? 'manual' },
              { label: 'Next run', value: when(p.dateNextRun) },
              { label: 'Recipe', value: arnTail(p.imageRecipeArn ?? p.containerRecipeArn) },
              { label: 'Infrastructure', value: arnTail(p.infrastructureConfigurationArn) },
              { label: 'Distribution', value: arnTail(p.distributionConfigurationArn) || '-' },
            ]}
          />
        </Container>
      )}
      <PagedTable
        resetKey={`${arn}:${runs}`}
        header={<Header variant="h2">Runs</Header>}
        empty="No runs yet"
        trackBy="arn"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(
            new ListImagePipelineImagesCommand({ imagePipelineArn: arn, maxResults: 25, nextToken }),
          );
          return { items: r.imageSummaryList ?? [], nextToken: r.nextToken };
        }}
        columns={[
          {
            id: 'image',
            header: 'Image',
            cell: (s) => <Link href={href('images', 'build', s.arn ?? '')}>{arnTail(s.arn)}</Link>,
          },
          { id: 'status', header: 'Status', cell: (s) => <Status value={s.state?.status} /> },
          { id: 'reason', header: 'Reason', cell: (s) => s.state?.reason ?? '' },
          { id: 'created', header: 'Created', cell: (s) => when(s.dateCreated) },
        ]}
      />
    </SpaceBetween>
  );
}

const NEW_INFRA = '__new__';

export function PipelineCreatePage({ c }: { c: Clients }): ReactNode {
  const [name, setName] = useState('');
  const [recipe, setRecipe] = useState<SelectProps.Option | null>(null);
  const [infra, setInfra] = useState<SelectProps.Option | null>({ value: NEW_INFRA, label: 'Create a default one' });
  const [schedule, setSchedule] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const choices = useLoad(async () => {
    const [ir, cr, inf] = await Promise.all([
      firstItems(async (nextToken) => {
        const r = await c.ib.send(new ListImageRecipesCommand({ maxResults: 25, nextToken }));
        return { items: r.imageRecipeSummaryList ?? [], nextToken: r.nextToken };
      }),
      firstItems(async (nextToken) => {
        const r = await c.ib.send(new ListContainerRecipesCommand({ maxResults: 25, nextToken }));
        return { items: r.containerRecipeSummaryList ?? [], nextToken: r.nextToken };
      }),
      firstItems(async (nextToken) => {
        const r = await c.ib.send(new ListInfrastructureConfigurationsCommand({ maxResults: 25, nextToken }));
        return { items: r.infrastructureConfigurationSummaryList ?? [], nextToken: r.nextToken };
      }),
    ]);
    return {
      recipes: [...cr, ...ir].map((r) => ({
        label: arnTail(r.arn),
        value: r.arn ?? '',
        description: r.arn?.includes(':container-recipe/') ? 'container recipe' : 'image recipe',
      })),
      infra: [
        { label: 'Create a default one', value: NEW_INFRA },
        ...inf.map((i) => ({ label: i.name ?? '', value: i.arn ?? '' })),
      ],
    };
  }, []);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let infraArn = infra?.value;
      if (infraArn === NEW_INFRA) {
        infraArn = (
          await c.ib.send(
            new CreateInfrastructureConfigurationCommand({
              name: `${name}-infra`,
              instanceProfileName: 'ingot',
              clientToken: clientToken(),
            }),
          )
        ).infrastructureConfigurationArn;
      }
      const recipeArn = recipe?.value ?? '';
      const r = await c.ib.send(
        new CreateImagePipelineCommand({
          name,
          ...(recipeArn.includes(':container-recipe/')
            ? { containerRecipeArn: recipeArn }
            : { imageRecipeArn: recipeArn }),
          infrastructureConfigurationArn: infraArn,
          ...(schedule.trim() ? { schedule: { scheduleExpression: schedule.trim() } } : {}),
          clientToken: clientToken(),
        }),
      );
      window.location.hash = href('pipelines', r.imagePipelineArn ?? '');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <CreateForm
      title="Create image pipeline"
      action="Create pipeline"
      busy={busy}
      error={error || choices.error}
      onSubmit={submit}
    >
      <FormField label="Name" controlId="pipeline-name">
        <Input controlId="pipeline-name" value={name} onChange={(e) => setName(e.detail.value)} />
      </FormField>
      <FormField label="Recipe" controlId="pipeline-recipe">
        <Select
          controlId="pipeline-recipe"
          selectedOption={recipe}
          onChange={(e) => setRecipe(e.detail.selectedOption)}
          options={choices.data?.recipes ?? []}
          statusType={choices.loading ? 'loading' : 'finished'}
          placeholder="Choose a recipe"
          filteringType="auto"
        />
      </FormField>
      <FormField label="Infrastructure configuration" controlId="pipeline-infra">
        <Select
          controlId="pipeline-infra"
          selectedOption={infra}
          onChange={(e) => setInfra(e.detail.selectedOption)}
          options={choices.data?.infra ?? []}
        />
      </FormField>
      <FormField
        label="Schedule (optional)"
        description="cron(…) or rate(…) as Image Builder takes it; empty runs only on demand"
        controlId="pipeline-schedule"
      >
        <Input controlId="pipeline-schedule" value={schedule} onChange={(e) => setSchedule(e.detail.value)} />
      </FormField>
    </CreateForm>
  );
}

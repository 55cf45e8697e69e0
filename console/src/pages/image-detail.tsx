/**
 * @module One image build: state and reason, its timeline (workflow executions when the API has
 * them), outputs per region, findings, the SBOM's packages as a download, the live log, and the
 * cancel / retry / distribute actions.
 */
import {
  CancelImageCreationCommand,
  DistributeImageCommand,
  GetImageCommand,
  type Image,
  ListImagePackagesCommand,
  ListImageScanFindingsCommand,
  ListWorkflowExecutionsCommand,
  RetryImageCommand,
} from '@aws-sdk/client-imagebuilder';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { type ReactNode, useEffect, useState } from 'react';
import type { Clients } from '../session.ts';
import { ApiError, arnTail, clientToken, errorText, href, PagedTable, Status, useLoad, when } from '../ui.tsx';
import { LogTail } from './log-tail.tsx';

const DONE = new Set(['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED', 'DEPRECATED', 'DISABLED']);

function Outputs({ image }: { image: Image }): ReactNode {
  const rows = [
    ...(image.outputResources?.amis ?? []).map((a) => ({
      region: a.region ?? '',
      output: a.image ?? '',
      detail: [a.name, a.description].filter(Boolean).join(' · '),
    })),
    ...(image.outputResources?.containers ?? []).map((x) => ({
      region: x.region ?? '',
      output: (x.imageUris ?? []).join('\n'),
      detail: '',
    })),
  ];
  return (
    <Table
      variant="container"
      header={<Header variant="h2">Outputs per region</Header>}
      items={rows}
      empty="No outputs yet"
      columnDefinitions={[
        { id: 'region', header: 'Region', cell: (r) => r.region },
        { id: 'output', header: 'Output', cell: (r) => <code style={{ whiteSpace: 'pre-wrap' }}>{r.output}</code> },
        { id: 'detail', header: 'Details (checksum)', cell: (r) => r.detail },
      ]}
    />
  );
}

function Timeline({ c, image }: { c: Clients; image: Image }): ReactNode {
  const runs = useLoad(
    () => c.ib.send(new ListWorkflowExecutionsCommand({ imageBuildVersionArn: image.arn })),
    [image.arn, image.state?.status],
  );
  const notThere = (runs.error as { name?: string } | undefined)?.name === 'NotImplementedException';
  const items = [
    { step: 'Created', status: 'PENDING', start: image.dateCreated, end: undefined as string | undefined },
    ...(runs.data?.workflowExecutions ?? []).map((w) => ({
      step: `${w.type ?? 'workflow'} ${arnTail(w.workflowBuildVersionArn)}`,
      status: w.status ?? '',
      start: w.startTime,
      end: w.endTime,
    })),
    ...(DONE.has(image.state?.status ?? '')
      ? [{ step: 'Finished', status: image.state?.status ?? '', start: undefined, end: undefined }]
      : []),
  ];
  return (
    <Table
      variant="container"
      header={
        <Header
          variant="h2"
          description={
            notThere ? 'This server has no workflow executions API yet: only what GetImage tells' : undefined
          }
        >
          Timeline
        </Header>
      }
      items={items}
      columnDefinitions={[
        { id: 'step', header: 'Step', cell: (r) => r.step },
        { id: 'status', header: 'Status', cell: (r) => <Status value={r.status} /> },
        { id: 'start', header: 'Started', cell: (r) => when(r.start) },
        { id: 'end', header: 'Ended', cell: (r) => when(r.end) },
      ]}
    />
  );
}

async function downloadSbom(c: Clients, arn: string): Promise<void> {
  const packages: { packageName?: string; packageVersion?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const r = await c.ib.send(new ListImagePackagesCommand({ imageBuildVersionArn: arn, maxResults: 25, nextToken }));
    packages.push(...(r.imagePackageList ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  const body = JSON.stringify({ imageBuildVersionArn: arn, packages }, null, 2);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  a.download = `${arnTail(arn).replaceAll('/', '-')}-sbom-packages.json`;
  document.body.append(a);
  a.click();
  a.remove();
}

export function ImageDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const got = useLoad(() => c.ib.send(new GetImageCommand({ imageBuildVersionArn: arn })), [arn]);
  const [flash, setFlash] = useState<FlashbarProps.MessageDefinition[]>([]);
  const image = got.data?.image;
  const status = image?.state?.status ?? '';
  const live = !!image && !DONE.has(status);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(got.reload, 2000);
    return () => clearInterval(t);
  }, [live, got.reload]);
  const act = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      setFlash([
        {
          type: 'success',
          content: `${what}: done`,
          dismissible: true,
          dismissLabel: 'Dismiss',
          onDismiss: () => setFlash([]),
          id: what,
        },
      ]);
      got.reload();
    } catch (err) {
      const e = errorText(err);
      setFlash([
        {
          type: 'error',
          header: e.title,
          content: e.message,
          dismissible: true,
          dismissLabel: 'Dismiss',
          onDismiss: () => setFlash([]),
          id: what,
        },
      ]);
    }
  };
  const versionArn = arn.replace(/\/\d+$/, '');
  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        ariaLabel="Breadcrumbs"
        items={[
          { text: 'Images', href: '#/images' },
          { text: arnTail(versionArn), href: href('images', 'builds', versionArn) },
          { text: arnTail(arn), href: href('images', 'build', arn) },
        ]}
      />
      <Flashbar items={flash} />
      <ApiError error={got.error} />
      <Header
        variant="h1"
        actions={
          image && (
            <SpaceBetween direction="horizontal" size="xs">
              <Button
                disabled={!live}
                onClick={() =>
                  act('Cancel', () =>
                    c.ib.send(
                      new CancelImageCreationCommand({ imageBuildVersionArn: arn, clientToken: clientToken() }),
                    ),
                  )
                }
              >
                Cancel build
              </Button>
              <Button
                disabled={live}
                onClick={() =>
                  act('Retry', () =>
                    c.ib.send(new RetryImageCommand({ imageBuildVersionArn: arn, clientToken: clientToken() })),
                  )
                }
              >
                Retry
              </Button>
              <Button
                disabled={status !== 'AVAILABLE' || !image.distributionConfiguration?.arn}
                onClick={() =>
                  act('Distribute', () =>
                    c.ib.send(
                      new DistributeImageCommand({
                        sourceImage: arn,
                        distributionConfigurationArn: image.distributionConfiguration?.arn,
                        executionRole: 'ingot',
                        clientToken: clientToken(),
                      }),
                    ),
                  )
                }
              >
                Distribute
              </Button>
              <Button
                disabled={status !== 'AVAILABLE'}
                onClick={() => act('SBOM download', () => downloadSbom(c, arn))}
              >
                Download SBOM
              </Button>
            </SpaceBetween>
          )
        }
      >
        {arnTail(arn)}
      </Header>
      {image && (
        <>
          <Container header={<Header variant="h2">Summary</Header>}>
            <ColumnLayout columns={1}>
              <KeyValuePairs
                columns={3}
                items={[
                  { label: 'Status', value: <Status value={status} /> },
                  { label: 'Reason', value: image.state?.reason ?? '-' },
                  { label: 'Type', value: image.type ?? '-' },
                  { label: 'Created', value: when(image.dateCreated) },
                  { label: 'Recipe', value: arnTail(image.imageRecipe?.arn ?? image.containerRecipe?.arn) || '-' },
                  { label: 'Pipeline', value: arnTail(image.sourcePipelineArn) || '-' },
                ]}
              />
            </ColumnLayout>
          </Container>
          <Timeline c={c} image={image} />
          <Outputs image={image} />
          <PagedTable
            header={<Header variant="h2">Findings</Header>}
            empty="No findings"
            resetKey={`${arn}:${status}`}
            fetchPage={async (nextToken) => {
              const r = await c.ib.send(
                new ListImageScanFindingsCommand({
                  filters: [{ name: 'imageBuildVersionArn', values: [arn] }],
                  maxResults: 25,
                  nextToken,
                }),
              );
              return { items: r.findings ?? [], nextToken: r.nextToken };
            }}
            columns={[
              { id: 'severity', header: 'Severity', cell: (f) => f.severity },
              {
                id: 'id',
                header: 'Vulnerability',
                cell: (f) => f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title,
              },
              {
                id: 'pkg',
                header: 'Package',
                cell: (f) =>
                  (f.packageVulnerabilityDetails?.vulnerablePackages ?? [])
                    .map((p) => `${p.name} ${p.version}`)
                    .join(', '),
              },
              { id: 'fix', header: 'Fix available', cell: (f) => f.fixAvailable ?? '-' },
            ]}
          />
          <LogTail
            c={c}
            live={live}
            finished={live ? '' : status}
            group={image.loggingConfiguration?.logGroupName ?? `/aws/imagebuilder/${image.name}`}
            stream={arnTail(arn).split('/').slice(1).join('/')}
          />
        </>
      )}
    </SpaceBetween>
  );
}

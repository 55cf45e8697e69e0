/**
 * @module Dashboard: builds running now and recent failures (the builds of the newest image
 * versions, newest first), findings by severity (ListImageScanFindingAggregations) and the next scheduled runs.
 */
import {
  type ImageSummary,
  ListImageBuildVersionsCommand,
  ListImagePipelinesCommand,
  ListImageScanFindingAggregationsCommand,
  ListImagesCommand,
} from '@aws-sdk/client-imagebuilder';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { ReactNode } from 'react';
import type { Clients } from '../session.ts';
import { ApiError, arnTail, href, Status, useLoad, when } from '../ui.tsx';

const RUNNING = new Set(['PENDING', 'CREATING', 'BUILDING', 'TESTING', 'DISTRIBUTING', 'INTEGRATING', 'CANCELLING']);

export function DashboardPage({ c }: { c: Clients }): ReactNode {
  const builds = useLoad(async () => {
    const versions = (await c.ib.send(new ListImagesCommand({ maxResults: 10 }))).imageVersionList ?? [];
    const lists = await Promise.all(
      versions.map((v) => c.ib.send(new ListImageBuildVersionsCommand({ imageVersionArn: v.arn, maxResults: 10 }))),
    );
    return lists
      .flatMap((l) => l.imageSummaryList ?? [])
      .sort((a, b) => String(b.dateCreated).localeCompare(String(a.dateCreated)));
  }, []);
  const findings = useLoad(() => c.ib.send(new ListImageScanFindingAggregationsCommand({})), []);
  const pipelines = useLoad(() => c.ib.send(new ListImagePipelinesCommand({ maxResults: 25 })), []);
  const all = builds.data ?? [];
  const running = all.filter((s) => RUNNING.has(s.state?.status ?? ''));
  const failed = all.filter((s) => s.state?.status === 'FAILED');
  const counts = findings.data?.responses?.[0]?.accountAggregation?.severityCounts;
  const next = (pipelines.data?.imagePipelineList ?? [])
    .filter((p) => p.dateNextRun && p.status !== 'DISABLED')
    .sort((a, b) => String(a.dateNextRun).localeCompare(String(b.dateNextRun)));
  const buildColumns = [
    {
      id: 'image',
      header: 'Image',
      cell: (s: ImageSummary) => <Link href={href('images', 'build', s.arn ?? '')}>{arnTail(s.arn)}</Link>,
    },
    { id: 'status', header: 'Status', cell: (s: ImageSummary) => <Status value={s.state?.status} /> },
    { id: 'created', header: 'Created', cell: (s: ImageSummary) => when(s.dateCreated) },
  ];
  return (
    <SpaceBetween size="l">
      <Header variant="h1">Dashboard</Header>
      <ApiError error={builds.error ?? findings.error ?? pipelines.error} />
      <ColumnLayout columns={2}>
        <Table
          variant="container"
          header={
            <Header variant="h2" counter={`(${running.length})`}>
              Running builds
            </Header>
          }
          items={running}
          loading={builds.loading}
          loadingText="Loading"
          empty="Nothing is building"
          columnDefinitions={buildColumns}
        />
        <Container header={<Header variant="h2">Findings by severity</Header>}>
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Critical', value: String(counts?.critical ?? 0) },
              { label: 'High', value: String(counts?.high ?? 0) },
              { label: 'Medium', value: String(counts?.medium ?? 0) },
              { label: 'All', value: String(counts?.all ?? 0) },
            ]}
          />
        </Container>
      </ColumnLayout>
      <Table
        variant="container"
        header={<Header variant="h2">Recent builds</Header>}
        items={all.slice(0, 10)}
        loading={builds.loading}
        loadingText="Loading"
        empty="No builds yet"
        columnDefinitions={buildColumns}
      />
      <Table
        variant="container"
        header={<Header variant="h2">Recent failures</Header>}
        items={failed}
        loading={builds.loading}
        loadingText="Loading"
        empty="No recent failures"
        columnDefinitions={[...buildColumns, { id: 'reason', header: 'Reason', cell: (s) => s.state?.reason ?? '' }]}
      />
      <Table
        variant="container"
        header={<Header variant="h2">Next scheduled runs</Header>}
        items={next}
        loading={pipelines.loading}
        loadingText="Loading"
        empty="No scheduled pipelines"
        columnDefinitions={[
          { id: 'name', header: 'Pipeline', cell: (p) => <Link href={href('pipelines', p.arn ?? '')}>{p.name}</Link> },
          { id: 'schedule', header: 'Schedule', cell: (p) => p.schedule?.scheduleExpression },
          { id: 'next', header: 'Next run', cell: (p) => when(p.dateNextRun) },
        ]}
      />
    </SpaceBetween>
  );
}

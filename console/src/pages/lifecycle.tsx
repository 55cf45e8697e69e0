/**
 * @module Lifecycle policies: the list (paged), a policy's rules, its executions and what each did
 * to which resource, previews included (a preview marks resources SKIPPED "preview: would …").
 */
import {
  GetLifecyclePolicyCommand,
  ListLifecycleExecutionResourcesCommand,
  ListLifecycleExecutionsCommand,
  ListLifecyclePoliciesCommand,
} from '@aws-sdk/client-imagebuilder';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { type ReactNode, useState } from 'react';
import type { Clients } from '../session.ts';
import { ApiError, arnTail, href, PagedTable, Status, useLoad, when } from '../ui.tsx';

export function LifecyclePage({ c }: { c: Clients }): ReactNode {
  return (
    <SpaceBetween size="l">
      <Header variant="h1">Lifecycle policies</Header>
      <PagedTable
        header={<Header variant="h2">Policies</Header>}
        empty="No lifecycle policies"
        trackBy="arn"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(new ListLifecyclePoliciesCommand({ maxResults: 25, nextToken }));
          return { items: r.lifecyclePolicySummaryList ?? [], nextToken: r.nextToken };
        }}
        columns={[
          { id: 'name', header: 'Name', cell: (p) => <Link href={href('lifecycle', p.arn ?? '')}>{p.name}</Link> },
          { id: 'status', header: 'Status', cell: (p) => <Status value={p.status} /> },
          { id: 'resource', header: 'Resource type', cell: (p) => p.resourceType },
          { id: 'last', header: 'Last run', cell: (p) => when(p.dateLastRun) },
        ]}
      />
    </SpaceBetween>
  );
}

export function LifecycleDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const got = useLoad(() => c.ib.send(new GetLifecyclePolicyCommand({ lifecyclePolicyArn: arn })), [arn]);
  const [execution, setExecution] = useState<string>();
  const p = got.data?.lifecyclePolicy;
  return (
    <SpaceBetween size="l">
      <Header variant="h1">{p?.name ?? arnTail(arn)}</Header>
      <ApiError error={got.error} />
      {p && (
        <Container header={<Header variant="h2">Policy</Header>}>
          <SpaceBetween size="m">
            <KeyValuePairs
              columns={3}
              items={[
                { label: 'Status', value: <Status value={p.status} /> },
                { label: 'Resource type', value: p.resourceType ?? '-' },
                { label: 'Last run', value: when(p.dateLastRun) },
              ]}
            />
            <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>
              {JSON.stringify({ policyDetails: p.policyDetails, resourceSelection: p.resourceSelection }, null, 2)}
            </pre>
          </SpaceBetween>
        </Container>
      )}
      <PagedTable
        resetKey={arn}
        header={
          <Header variant="h2" description="Runs and previews (`ingot lifecycle run --preview`) of this policy">
            Executions
          </Header>
        }
        empty="No executions yet"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(
            new ListLifecycleExecutionsCommand({ resourceArn: arn, maxResults: 25, nextToken }),
          );
          return { items: r.lifecycleExecutions ?? [], nextToken: r.nextToken };
        }}
        columns={[
          {
            id: 'id',
            header: 'Execution',
            cell: (e) => <Link onFollow={() => setExecution(e.lifecycleExecutionId)}>{e.lifecycleExecutionId}</Link>,
          },
          { id: 'state', header: 'State', cell: (e) => <Status value={e.state?.status} /> },
          { id: 'reason', header: 'Reason', cell: (e) => e.state?.reason ?? '' },
          { id: 'start', header: 'Started', cell: (e) => when(e.startTime) },
        ]}
      />
      {execution ? (
        <PagedTable
          resetKey={execution}
          header={<Header variant="h2">Resources of {execution}</Header>}
          empty="No resources"
          fetchPage={async (nextToken) => {
            const r = await c.ib.send(
              new ListLifecycleExecutionResourcesCommand({
                lifecycleExecutionId: execution,
                maxResults: 25,
                nextToken,
              }),
            );
            return { items: r.resources ?? [], nextToken: r.nextToken };
          }}
          columns={[
            { id: 'resource', header: 'Resource', cell: (r) => arnTail(r.resourceId) || r.resourceId },
            { id: 'action', header: 'Action', cell: (r) => r.action?.name ?? '-' },
            { id: 'state', header: 'State', cell: (r) => <Status value={r.state?.status} /> },
            { id: 'reason', header: 'Reason', cell: (r) => r.state?.reason ?? '' },
          ]}
        />
      ) : (
        <Box color="text-status-inactive">Pick an execution to see what it did to each resource.</Box>
      )}
    </SpaceBetween>
  );
}

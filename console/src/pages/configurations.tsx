/**
 * @module Configurations: infrastructure and distribution configurations (paged lists) and one
 * configuration's document.
 */
import {
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  ListDistributionConfigurationsCommand,
  ListInfrastructureConfigurationsCommand,
} from '@aws-sdk/client-imagebuilder';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ReactNode } from 'react';
import type { Clients } from '../session.ts';
import { ApiError, arnTail, href, PagedTable, useLoad, when } from '../ui.tsx';

interface Row {
  arn?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  dateCreated?: string | undefined;
}

const columns = [
  { id: 'name', header: 'Name', cell: (r: Row) => <Link href={href('configurations', r.arn ?? '')}>{r.name}</Link> },
  { id: 'description', header: 'Description', cell: (r: Row) => r.description ?? '' },
  { id: 'created', header: 'Created', cell: (r: Row) => when(r.dateCreated) },
];

export function ConfigurationsPage({ c }: { c: Clients }): ReactNode {
  return (
    <SpaceBetween size="l">
      <Header variant="h1">Configurations</Header>
      <PagedTable
        header={<Header variant="h2">Infrastructure configurations</Header>}
        empty="No infrastructure configurations"
        columns={columns}
        fetchPage={async (nextToken): Promise<{ items: Row[]; nextToken?: string }> => {
          const r = await c.ib.send(new ListInfrastructureConfigurationsCommand({ maxResults: 25, nextToken }));
          return { items: r.infrastructureConfigurationSummaryList ?? [], nextToken: r.nextToken };
        }}
      />
      <PagedTable
        header={<Header variant="h2">Distribution configurations</Header>}
        empty="No distribution configurations"
        columns={columns}
        fetchPage={async (nextToken): Promise<{ items: Row[]; nextToken?: string }> => {
          const r = await c.ib.send(new ListDistributionConfigurationsCommand({ maxResults: 25, nextToken }));
          return { items: r.distributionConfigurationSummaryList ?? [], nextToken: r.nextToken };
        }}
      />
    </SpaceBetween>
  );
}

export function ConfigurationDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const infra = arn.includes(':infrastructure-configuration/');
  const got = useLoad(
    async () =>
      infra
        ? (await c.ib.send(new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn })))
            .infrastructureConfiguration
        : (await c.ib.send(new GetDistributionConfigurationCommand({ distributionConfigurationArn: arn })))
            .distributionConfiguration,
    [arn],
  );
  return (
    <SpaceBetween size="l">
      <Header variant="h1">{arnTail(arn)}</Header>
      <ApiError error={got.error} />
      {got.data && (
        <Container
          header={<Header variant="h2">{infra ? 'Infrastructure configuration' : 'Distribution configuration'}</Header>}
        >
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(got.data, null, 2)}</pre>
        </Container>
      )}
    </SpaceBetween>
  );
}

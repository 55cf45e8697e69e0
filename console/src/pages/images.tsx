/**
 * @module Images: image versions (ListImages, one API page at a time, filtered by name on the
 * server) → a version's builds (ListImageBuildVersions) → a build (image-detail.tsx).
 */
import { ListImageBuildVersionsCommand, ListImagesCommand } from '@aws-sdk/client-imagebuilder';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import TextFilter from '@cloudscape-design/components/text-filter';
import { type ReactNode, useEffect, useState } from 'react';
import type { Clients } from '../session.ts';
import { arnTail, href, PagedTable, Status, when } from '../ui.tsx';

export function ImagesPage({ c }: { c: Clients }): ReactNode {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setName(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Every image version of this account in this region, newest first">
        Images
      </Header>
      <PagedTable
        resetKey={name}
        header={<Header variant="h2">Image versions</Header>}
        empty="No images"
        filter={
          <TextFilter
            filteringText={text}
            filteringPlaceholder="Image name"
            filteringAriaLabel="Filter by image name"
            onChange={(e) => setText(e.detail.filteringText)}
          />
        }
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(
            new ListImagesCommand({
              maxResults: 25,
              nextToken,
              ...(name ? { filters: [{ name: 'name', values: [name] }] } : {}),
            }),
          );
          return { items: r.imageVersionList ?? [], nextToken: r.nextToken };
        }}
        trackBy="arn"
        columns={[
          {
            id: 'name',
            header: 'Name',
            cell: (v) => <Link href={href('images', 'builds', v.arn ?? '')}>{v.name}</Link>,
          },
          { id: 'version', header: 'Version', cell: (v) => v.version },
          { id: 'type', header: 'Type', cell: (v) => v.type },
          { id: 'platform', header: 'Platform', cell: (v) => v.platform },
          { id: 'created', header: 'Created', cell: (v) => when(v.dateCreated) },
        ]}
      />
    </SpaceBetween>
  );
}

export function ImageBuildsPage({ c, versionArn }: { c: Clients; versionArn: string }): ReactNode {
  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        items={[
          { text: 'Images', href: '#/images' },
          { text: arnTail(versionArn), href: href('images', 'builds', versionArn) },
        ]}
        ariaLabel="Breadcrumbs"
      />
      <Header variant="h1">Builds of {arnTail(versionArn)}</Header>
      <PagedTable
        resetKey={versionArn}
        header={<Header variant="h2">Builds</Header>}
        empty="No builds"
        trackBy="arn"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(
            new ListImageBuildVersionsCommand({ imageVersionArn: versionArn, maxResults: 25, nextToken }),
          );
          return { items: r.imageSummaryList ?? [], nextToken: r.nextToken };
        }}
        columns={[
          {
            id: 'build',
            header: 'Build',
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

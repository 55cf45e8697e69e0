/**
 * @module Components: the list (ListComponents, paged), a component's document, and creation from
 * a YAML editor; the API's validation error is shown with the line it names.
 */
import {
  CreateComponentCommand,
  GetComponentCommand,
  ListComponentBuildVersionsCommand,
  ListComponentsCommand,
  Platform,
} from '@aws-sdk/client-imagebuilder';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { type ReactNode, useState } from 'react';
import type { Clients } from '../session.ts';
import { ApiError, CreateForm, arnTail, clientToken, errorText, href, PagedTable, useLoad, when } from '../ui.tsx';

export function ComponentsPage({ c }: { c: Clients }): ReactNode {
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        actions={
          <Button variant="primary" href="#/components/create">
            Create component
          </Button>
        }
      >
        Components
      </Header>
      <PagedTable
        header={<Header variant="h2">Component versions</Header>}
        empty="No components"
        trackBy="arn"
        fetchPage={async (nextToken) => {
          const r = await c.ib.send(new ListComponentsCommand({ maxResults: 25, nextToken }));
          return { items: r.componentVersionList ?? [], nextToken: r.nextToken };
        }}
        columns={[
          { id: 'name', header: 'Name', cell: (v) => <Link href={href('components', v.arn ?? '')}>{v.name}</Link> },
          { id: 'version', header: 'Version', cell: (v) => v.version },
          { id: 'platform', header: 'Platform', cell: (v) => v.platform },
          { id: 'description', header: 'Description', cell: (v) => v.description ?? '' },
          { id: 'created', header: 'Created', cell: (v) => when(v.dateCreated) },
        ]}
      />
    </SpaceBetween>
  );
}

export function ComponentDetailPage({ c, arn }: { c: Clients; arn: string }): ReactNode {
  const got = useLoad(async () => {
    let buildArn = arn;
    if (!/\/\d+$/.test(arn)) {
      const builds = await c.ib.send(new ListComponentBuildVersionsCommand({ componentVersionArn: arn }));
      buildArn = builds.componentSummaryList?.at(-1)?.arn ?? arn;
    }
    return (await c.ib.send(new GetComponentCommand({ componentBuildVersionArn: buildArn }))).component;
  }, [arn]);
  const comp = got.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1">{arnTail(arn)}</Header>
      <ApiError error={got.error} />
      {comp && (
        <>
          <Container header={<Header variant="h2">Summary</Header>}>
            <KeyValuePairs
              columns={3}
              items={[
                { label: 'ARN', value: comp.arn },
                { label: 'Platform', value: comp.platform },
                { label: 'Description', value: comp.description ?? '-' },
              ]}
            />
          </Container>
          <Container header={<Header variant="h2">Document</Header>}>
            <pre data-testid="component-document" style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>
              {comp.data}
            </pre>
          </Container>
        </>
      )}
    </SpaceBetween>
  );
}

const EXAMPLE = `name: hello
description: Writes a file.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello > /hello.txt
`;

/** The line an API validation message names (`line 7`, `at 7:3`), if any. */
export function lineOf(message: string): number | undefined {
  const m = /\bline (\d+)/i.exec(message) ?? /\bat (\d+):\d+/.exec(message);
  return m ? Number(m[1]) : undefined;
}

export function ComponentCreatePage({ c }: { c: Clients }): ReactNode {
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0.0');
  const [description, setDescription] = useState('');
  const [data, setData] = useState(EXAMPLE);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const line = error ? lineOf(errorText(error).message) : undefined;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await c.ib.send(
        new CreateComponentCommand({
          name,
          semanticVersion: version,
          platform: Platform.LINUX,
          data,
          clientToken: clientToken(),
          ...(description ? { description } : {}),
        }),
      );
      window.location.hash = href('components', r.componentBuildVersionArn ?? '');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <CreateForm title="Create component" action="Create component" busy={busy} error={error} onSubmit={submit}>
      <FormField label="Name" controlId="component-name">
        <Input controlId="component-name" value={name} onChange={(e) => setName(e.detail.value)} />
      </FormField>
      <FormField label="Semantic version" controlId="component-version">
        <Input controlId="component-version" value={version} onChange={(e) => setVersion(e.detail.value)} />
      </FormField>
      <FormField label="Description (optional)" controlId="component-description">
        <Input controlId="component-description" value={description} onChange={(e) => setDescription(e.detail.value)} />
      </FormField>
      <FormField
        label="Document (AWSTOE YAML)"
        controlId="component-document"
        errorText={line ? `Line ${line}: ${data.split('\n')[line - 1] ?? ''}` : undefined}
      >
        <Textarea
          controlId="component-document"
          rows={18}
          spellcheck={false}
          value={data}
          onChange={(e) => setData(e.detail.value)}
        />
      </FormField>
      <Box variant="small">The server validates the document as CreateComponent does; errors name their line.</Box>
    </CreateForm>
  );
}

/**
 * @module Sign-in: an Ingot access key (as `ingot server` printed it or `ingot credentials create`
 * made it) and a region; checked with one signed ListImages call before it is kept.
 */
import { ListImagesCommand } from '@aws-sdk/client-imagebuilder';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { type ReactNode, useState } from 'react';
import { clientsFor, type Session } from '../session.ts';
import { FormError } from '../ui.tsx';

export function SignInPage({ onSignedIn }: { onSignedIn: (s: Session) => void }): ReactNode {
  const [accessKeyId, setKey] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const s = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), region: region.trim() };
    try {
      await clientsFor(s).ib.send(new ListImagesCommand({ maxResults: 1 }));
      onSignedIn(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ maxWidth: 520, margin: '64px auto', padding: 16 }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Form
          header={<Header variant="h1">Ingot console</Header>}
          actions={
            <Button variant="primary" formAction="submit" loading={busy} data-testid="sign-in">
              Sign in
            </Button>
          }
          errorText={error ? <FormError error={error} /> : undefined}
        >
          <Container header={<Header variant="h2">Sign in with an access key</Header>}>
            <SpaceBetween size="m">
              <FormField label="Access key ID" controlId="access-key-id">
                <Input
                  controlId="access-key-id"
                  value={accessKeyId}
                  onChange={(e) => setKey(e.detail.value)}
                  autoComplete="username"
                />
              </FormField>
              <FormField label="Secret access key" controlId="secret-access-key">
                <Input
                  controlId="secret-access-key"
                  type="password"
                  value={secretAccessKey}
                  onChange={(e) => setSecret(e.detail.value)}
                  autoComplete="current-password"
                />
              </FormField>
              <FormField label="Region" description="An AWS region name or a site name" controlId="region">
                <Input controlId="region" value={region} onChange={(e) => setRegion(e.detail.value)} />
              </FormField>
              <Box variant="small">
                The key stays in this tab (sessionStorage) and signs each request here; it is never sent.
              </Box>
            </SpaceBetween>
          </Container>
        </Form>
      </form>
    </main>
  );
}

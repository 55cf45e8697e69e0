/**
 * @module Shared pieces of the console's pages: the API error alert, a loader hook, a table that
 * pages through an API with its nextToken (one page in memory at a time), and hash links.
 */
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { type DependencyList, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';

/** The API's own error type and message (an SDK ServiceException carries both). */
export function errorText(err: unknown): { title: string; message: string } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return {
    title: `${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}`,
    message: e?.message || String(err),
  };
}

export function ApiError({ error, onDismiss }: { error: unknown; onDismiss?: () => void }): ReactNode {
  if (!error) return null;
  const { title, message } = errorText(error);
  return (
    <Alert type="error" header={title} dismissible={!!onDismiss} onDismiss={onDismiss} dismissAriaLabel="Dismiss">
      <span data-testid="api-error" style={{ whiteSpace: 'pre-wrap' }}>
        {message}
      </span>
    </Alert>
  );
}

/** A form's errorText: the API's error type and message (the Form draws the alert around it). */
export function FormError({ error }: { error: unknown }): ReactNode {
  const { title, message } = errorText(error);
  return (
    <span data-testid="api-error" style={{ whiteSpace: 'pre-wrap' }}>
      <strong>{title}</strong>: {message}
    </span>
  );
}

/**
 * A create page's form: submits without reloading the page, a busy primary button, the API's
 * error (if any) above it, and the fields stacked in one container.
 */
export function CreateForm(props: {
  title: string;
  action: string;
  busy: boolean;
  error: unknown;
  onSubmit: () => Promise<void>;
  children: ReactNode;
}): ReactNode {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit();
      }}
    >
      <Form
        header={<Header variant="h1">{props.title}</Header>}
        actions={
          <Button variant="primary" formAction="submit" loading={props.busy}>
            {props.action}
          </Button>
        }
        errorText={props.error ? <FormError error={props.error} /> : undefined}
      >
        <Container>
          <SpaceBetween size="m">{props.children}</SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (and on reload); the newest call wins. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: unknown) => mine === seq.current && setState({ error, loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Page<T> {
  items: T[];
  nextToken?: string | undefined;
}

/**
 * A Cloudscape table over an API list operation: fetches one page at a time with the API's
 * nextToken (open-ended pagination), remembers the tokens of pages seen so "previous" works.
 */
export function PagedTable<T>(props: {
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>;
  columns: TableProps.ColumnDefinition<T>[];
  header: ReactNode;
  empty: string;
  /** Changing it starts again from the first page. */
  resetKey?: string;
  filter?: ReactNode;
  trackBy?: TableProps.TrackBy<T>;
}): ReactNode {
  const [pageIndex, setPageIndex] = useState(0);
  const tokens = useRef<(string | undefined)[]>([undefined]);
  const [hasMore, setHasMore] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new resetKey restarts the paging
  useEffect(() => {
    tokens.current = [undefined];
    setPageIndex(0);
  }, [props.resetKey]);
  const page = useLoad(async () => {
    const p = await props.fetchPage(tokens.current[pageIndex]);
    tokens.current[pageIndex + 1] = p.nextToken;
    setHasMore(!!p.nextToken);
    return p;
  }, [pageIndex, props.resetKey]);
  return (
    <>
      <ApiError error={page.error} />
      <Table
        variant="container"
        header={props.header}
        items={page.data?.items ?? []}
        loading={page.loading}
        loadingText="Loading"
        columnDefinitions={props.columns}
        trackBy={props.trackBy}
        empty={props.empty}
        filter={props.filter}
        pagination={
          <Pagination
            openEnd={hasMore}
            currentPageIndex={pageIndex + 1}
            pagesCount={pageIndex + 1 + (hasMore ? 1 : 0)}
            onChange={(e) => setPageIndex(e.detail.currentPageIndex - 1)}
            ariaLabels={{
              nextPageLabel: 'Next page',
              previousPageLabel: 'Previous page',
              pageLabel: (n) => `Page ${n}`,
            }}
          />
        }
      />
    </>
  );
}

const STATUS: Record<string, StatusIndicatorProps.Type> = {
  AVAILABLE: 'success',
  FAILED: 'error',
  CANCELLED: 'stopped',
  CANCELLING: 'in-progress',
  PENDING: 'pending',
  BUILDING: 'in-progress',
  TESTING: 'in-progress',
  DISTRIBUTING: 'in-progress',
  INTEGRATING: 'in-progress',
  CREATING: 'in-progress',
  DELETED: 'stopped',
  DEPRECATED: 'warning',
  DISABLED: 'stopped',
  ENABLED: 'success',
};

export function Status({ value }: { value: string | undefined }): ReactNode {
  return <StatusIndicator type={STATUS[value ?? ''] ?? 'info'}>{value ?? 'unknown'}</StatusIndicator>;
}

/** A link inside the console (hash routing: `#/images/…`). */
export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;

export const when = (iso: string | Date | undefined): string => (iso ? new Date(iso).toLocaleString() : '-');

/** The last segments of an ARN after the resource type: `name/1.0.0/1`. */
export const arnTail = (arn: string | undefined): string =>
  (arn ?? '')
    .split(':')
    .pop()
    ?.replace(/^[^/]*\//, '') ?? '';

export const clientToken = (): string => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;

/** Up to `limit` items of a list operation, page by page (for pickers; the API pages by 25 at most). */
export async function firstItems<T>(
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>,
  limit = 100,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const p = await fetchPage(token);
    items.push(...p.items);
    token = p.nextToken;
  } while (token && items.length < limit);
  return items.slice(0, limit);
}

/**
 * @module A build's stages and components with their durations, read from its log lines as the
 * build engine writes them (`==> STAGE`, `<== STAGE done in N s`, `  [COMPONENT] PHASE: STATUS (N s)`).
 */
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import type { ReactNode } from 'react';
import { Status } from '../ui.tsx';

export interface LogLine {
  timestamp?: number | undefined;
  message: string;
}

interface Row {
  id: string;
  what: string;
  status: string;
  started?: number | undefined;
  seconds?: number | undefined;
}

export function stagesOf(lines: readonly LogLine[]): Row[] {
  const rows: Row[] = [];
  const open = new Map<string, Row>();
  for (const { timestamp, message } of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^==> ([\w-]+)/.exec(message))) {
      const row: Row = { id: `s${rows.length}`, what: m[1]!, status: 'BUILDING', started: timestamp };
      rows.push(row);
      open.set(m[1]!, row);
    } else if ((m = /^<== ([\w-]+) done(?: in ([\d.]+) s)?/.exec(message))) {
      const row = open.get(m[1]!);
      if (row) {
        row.status = 'AVAILABLE';
        if (m[2]) row.seconds = Number(m[2]);
        open.delete(m[1]!);
      }
    } else if ((m = /^ {2}\[([^\]]+)\] ([\w-]+): (\w+)(?: \(([\d.]+) s\))?/.exec(message))) {
      const key = `${m[1]}/${m[2]}`;
      const status = m[3]!;
      if (status === 'start') {
        const row: Row = { id: `c${rows.length}`, what: `  ${m[1]} (${m[2]})`, status: 'BUILDING', started: timestamp };
        rows.push(row);
        open.set(key, row);
      } else {
        const row = open.get(key);
        if (row) {
          row.status = status === 'success' ? 'AVAILABLE' : status.toUpperCase() === 'FAILED' ? 'FAILED' : status;
          if (m[4]) row.seconds = Number(m[4]);
          open.delete(key);
        }
      }
    }
  }
  return rows;
}

export function StagesTable({ lines, finished }: { lines: readonly LogLine[]; finished: string }): ReactNode {
  const rows = stagesOf(lines);
  // A stage still open when the build ended did not finish: it carries the build's end state.
  if (finished) for (const r of rows) if (r.status === 'BUILDING') r.status = finished;
  return (
    <Table
      variant="container"
      header={
        <Header variant="h2" description="From the build log">
          Stages and components
        </Header>
      }
      items={rows}
      trackBy="id"
      empty="No stage has started yet"
      columnDefinitions={[
        { id: 'what', header: 'Stage / component', cell: (r) => <span style={{ whiteSpace: 'pre' }}>{r.what}</span> },
        { id: 'status', header: 'Status', cell: (r) => <Status value={r.status} /> },
        { id: 'started', header: 'Started', cell: (r) => (r.started ? new Date(r.started).toLocaleTimeString() : '-') },
        {
          id: 'seconds',
          header: 'Duration',
          cell: (r) => (r.seconds !== undefined ? `${r.seconds.toFixed(2)} s` : '-'),
        },
      ]}
    />
  );
}

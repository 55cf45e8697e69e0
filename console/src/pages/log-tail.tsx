/**
 * @module Live tail of a build's log through the CloudWatch Logs API (GetLogEvents with the forward
 * token, polled every second while the build runs), and the stages read from it: group `/aws/imagebuilder/NAME`, stream `VERSION/BUILD`.
 */
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { Clients } from '../session.ts';
import { ApiError } from '../ui.tsx';
import { type LogLine, StagesTable } from './stages.tsx';

const MAX_LINES = 2000;

export function LogTail(props: {
  c: Clients;
  group: string;
  stream: string;
  live: boolean;
  /** The build's end state ('' while it runs), for stages it left open. */
  finished: string;
}): ReactNode {
  const { c, group, stream, live } = props;
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<unknown>();
  const liveRef = useRef(live);
  liveRef.current = live;
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    let stopped = false;
    let token: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        for (;;) {
          const r = await (await c.logs()).send(
            new GetLogEventsCommand({
              logGroupName: group,
              logStreamName: stream,
              startFromHead: true,
              nextToken: token,
            }),
          );
          if (stopped) return;
          const got = (r.events ?? []).map((e) => ({ timestamp: e.timestamp, message: e.message ?? '' }));
          if (got.length) setLines((old) => [...old, ...got].slice(-MAX_LINES));
          setError(undefined);
          const same = r.nextForwardToken === token;
          token = r.nextForwardToken;
          if (same || got.length === 0) break;
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      // One more read after the build ended picks up its last lines.
      if (!stopped) timer = setTimeout(poll, liveRef.current ? 1000 : 5000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [c, group, stream]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when lines arrive
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <>
      <StagesTable lines={lines} finished={props.finished} />
      <Container
        header={
          <Header variant="h2" description={`${group} · ${stream}`}>
            Build log {live ? '(live)' : ''}
          </Header>
        }
      >
        <ApiError error={error} />
        {lines.length === 0 ? (
          <Box color="text-status-inactive">No log lines yet.</Box>
        ) : (
          <pre
            ref={box}
            data-testid="build-log"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
            tabIndex={0}
            role="log"
            aria-label="Build log"
            style={{ maxHeight: 420, overflow: 'auto', fontSize: 12, margin: 0, whiteSpace: 'pre-wrap' }}
          >
            {lines.map((l) => l.message).join('\n')}
          </pre>
        )}
      </Container>
    </>
  );
}

/**
 * @module The CloudWatch Logs operations Ingot answers on its own endpoint (service `logs`), over
 * the build logs: DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents — what
 * `aws logs tail GROUP [--follow]` and the console's live log tail use, through any API server.
 * GetLogEvents' tokens are opaque line seqs; the others' are offsets.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { ServiceContext } from '../common/context.ts';
import type { BuildLogLine } from '../../store/types.ts';
import { type LogEvent, matcher } from './events.ts';
import { callerStreams, type LogStream } from './streams.ts';

type Input = Record<string, unknown>;

const str = (input: Input, key: string): string | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be a string`);
  return v;
};
const num = (input: Input, key: string): number | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${key} must be a number`);
  return v;
};
const invalid = (message: string) => new IngotError('InvalidParameterException', message);

function limitOf(input: Input, max: number, fallback: number): number {
  const limit = num(input, 'limit') ?? fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw invalid(`limit must be a whole number from 1 to ${max}`);
  return limit;
}

const encode = (n: number): string => Buffer.from(JSON.stringify({ o: n }), 'utf8').toString('base64url');
function decode(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const o = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    /* below */
  }
  throw invalid('The specified nextToken is invalid.');
}

const groupArn = (ctx: ServiceContext, name: string) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;

async function streamsOf(ctx: ServiceContext, input: Input): Promise<{ name: string; streams: LogStream[] }> {
  const name = str(input, 'logGroupName') ?? str(input, 'logGroupIdentifier')?.replace(/^arn:.*:log-group:/, '');
  if (!name) throw invalid('logGroupName is required.');
  const streams = (await callerStreams(ctx)).get(name);
  if (!streams) throw new IngotError('ResourceNotFoundException', 'The specified log group does not exist.');
  return { name, streams };
}

export async function describeLogGroups(ctx: ServiceContext, input: Input) {
  const prefix = str(input, 'logGroupNamePrefix') ?? str(input, 'logGroupNamePattern') ?? '';
  const limit = limitOf(input, 50, 50);
  const groups = [...(await callerStreams(ctx)).entries()]
    .filter(([name]) => (input['logGroupNamePattern'] ? name.includes(prefix) : name.startsWith(prefix)))
    .sort(([a], [b]) => a.localeCompare(b));
  const start = decode(str(input, 'nextToken'));
  const page = groups.slice(start, start + limit);
  return {
    logGroups: page.map(([name, streams]) => ({
      logGroupName: name,
      creationTime: Math.min(...streams.map((s) => s.created)),
      storedBytes: streams.reduce((n, s) => n + s.bytes, 0),
      metricFilterCount: 0,
      arn: `${groupArn(ctx, name)}:*`,
      logGroupArn: groupArn(ctx, name),
      logGroupClass: 'STANDARD',
    })),
    ...(start + limit < groups.length ? { nextToken: encode(start + limit) } : {}),
  };
}

export async function describeLogStreams(ctx: ServiceContext, input: Input) {
  const { name, streams } = await streamsOf(ctx, input);
  const prefix = str(input, 'logStreamNamePrefix') ?? '';
  const orderBy = str(input, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
    throw invalid("orderBy must be 'LogStreamName' or 'LastEventTime'.");
  if (prefix && orderBy === 'LastEventTime') throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const limit = limitOf(input, 50, 50);
  const key = (s: LogStream): number | string => (orderBy === 'LastEventTime' ? (s.lastEvent ?? s.created) : s.name);
  const sorted = streams
    .filter((s) => s.name.startsWith(prefix))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (input['descending'] === true) sorted.reverse();
  const start = decode(str(input, 'nextToken'));
  const page = sorted.slice(start, start + limit);
  const out = page.map((s) => ({
    logStreamName: s.name,
    creationTime: s.created,
    ...(s.firstEvent !== undefined && s.lastEvent !== undefined
      ? { firstEventTimestamp: s.firstEvent, lastEventTimestamp: s.lastEvent, lastIngestionTime: s.lastEvent }
      : {}),
    uploadSequenceToken: '1',
    arn: `${groupArn(ctx, name)}:log-stream:${s.name}`,
    storedBytes: s.bytes,
  }));
  return { logStreams: out, ...(start + limit < sorted.length ? { nextToken: encode(start + limit) } : {}) };
}

export async function getLogEvents(ctx: ServiceContext, input: Input) {
  const { streams } = await streamsOf(ctx, input);
  const streamName = str(input, 'logStreamName');
  const stream = streams.find((s) => s.name === streamName);
  if (!stream) throw new IngotError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const limit = limitOf(input, 10000, 10000);
  const range = { limit, ...times(input) };
  const token = str(input, 'nextToken');
  const read = (q: { after?: number; before?: number; newest?: boolean }) =>
    ctx.store.buildLogs.read(stream.imageArn, { ...range, ...q });
  // A page's forward token reads after its last line, its backward token before its first; an
  // empty page gives back the token it was asked with (how `aws logs tail` and the console stop).
  let lines: BuildLogLine[];
  let first: number;
  let last: number;
  if (token?.startsWith('f/')) {
    const after = decode(token.slice(2));
    lines = await read({ after });
    [first, last] = [after + 1, after];
  } else if (token?.startsWith('b/')) {
    const before = decode(token.slice(2));
    lines = await read({ before, newest: true });
    [first, last] = [before, Math.max(0, before - 1)];
  } else if (token !== undefined) {
    throw invalid('The specified nextToken is invalid.');
  } else {
    lines = await read(input['startFromHead'] === true ? {} : { newest: true });
    [first, last] = [1, 0];
  }
  if (lines.length) [first, last] = [lines[0]!.seq, lines.at(-1)!.seq];
  return {
    events: lines.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })),
    nextForwardToken: `f/${encode(last)}`,
    nextBackwardToken: `b/${encode(first)}`,
  };
}

/** The request's startTime and endTime (epoch ms; the end excluded). */
function times(input: Input): { from?: number; to?: number } {
  const from = num(input, 'startTime');
  const to = num(input, 'endTime');
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

export async function filterLogEvents(ctx: ServiceContext, input: Input) {
  const { streams } = await streamsOf(ctx, input);
  const names = input['logStreamNames'];
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string')))
    throw invalid('logStreamNames must be a list of strings.');
  const prefix = str(input, 'logStreamNamePrefix');
  if (names !== undefined && prefix !== undefined)
    throw invalid('logStreamNames and logStreamNamePrefix cannot both be given.');
  const chosen = streams.filter(
    (s) => (!names || (names as string[]).includes(s.name)) && (!prefix || s.name.startsWith(prefix)),
  );
  const limit = limitOf(input, 10000, 10000);
  const matches = matcher(str(input, 'filterPattern'));
  const all: LogEvent[] = [];
  for (const s of chosen)
    for (const e of await ctx.store.buildLogs.read(s.imageArn, {
      ...times(input),
      limit: ctx.store.buildLogs.maxLines,
    }))
      if (matches(e.message)) all.push({ ...e, stream: s.name });
  all.sort((a, b) => a.timestamp - b.timestamp || a.stream.localeCompare(b.stream) || a.seq - b.seq);
  const start = decode(str(input, 'nextToken'));
  const page = all.slice(start, start + limit);
  return {
    events: page.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.timestamp,
      eventId: `${e.stream}:${e.seq}`,
    })),
    searchedLogStreams: chosen.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
    ...(start + limit < all.length ? { nextToken: encode(start + limit) } : {}),
  };
}

/**
 * @module Build logs as CloudWatch Logs sees them: one log group per image name
 * (`/aws/imagebuilder/NAME`, or the image's `loggingConfiguration.logGroupName`, which a pipeline's
 * `imageLogGroupName` sets), one log stream per image build (`VERSION/BUILD`, as Image Builder names
 * them), backed by the build's lines in the store (whichever worker wrote them). Only the caller's
 * images in the signed region.
 */
import type { Image } from '../../model/generated/shapes.ts';
import type { ServiceContext } from '../common/context.ts';
import { ownImages } from '../images/own-images.ts';

export interface LogStream {
  group: string;
  name: string;
  imageArn: string;
  created: number;
  /** Bytes of the lines kept, and the time of the first and last. */
  bytes: number;
  firstEvent: number | undefined;
  lastEvent: number | undefined;
}

export const defaultLogGroup = (imageName: string): string => `/aws/imagebuilder/${imageName}`;

/** The log group an image's build log belongs to. */
export function logGroupOf(image: Image): string {
  return image.loggingConfiguration?.logGroupName ?? defaultLogGroup(image.name ?? 'unknown');
}

/** Every log stream of the caller in this region, by group. */
export async function callerStreams(ctx: ServiceContext): Promise<Map<string, LogStream[]>> {
  const logs = new Map((await ctx.store.buildLogs.summaries(ctx.accountId)).map((s) => [s.imageArn, s]));
  const groups = new Map<string, LogStream[]>();
  for await (const r of ownImages(ctx, 1000)) {
    const log = logs.get(r.arn);
    const stream: LogStream = {
      group: logGroupOf(r.doc),
      name: `${r.version}/${r.build}`,
      imageArn: r.arn,
      created: Date.parse(r.createdAt),
      bytes: log?.bytes ?? 0,
      firstEvent: log?.firstTimestamp ?? undefined,
      lastEvent: log?.lastTimestamp ?? undefined,
    };
    const list = groups.get(stream.group) ?? [];
    list.push(stream);
    groups.set(stream.group, list);
  }
  return groups;
}

/**
 * @module Build logs as CloudWatch Logs sees them: one log group per image name
 * (`/aws/imagebuilder/NAME`, or the image's `loggingConfiguration.logGroupName`, which a pipeline's
 * `imageLogGroupName` sets), one log stream per image build (`VERSION/BUILD`, as Image Builder names
 * them), backed by the build's own `build.log`. Only the caller's images in the signed region.
 */
import { stat } from 'node:fs/promises';
import { imageLogFile } from '../../artifacts/output-dirs.ts';
import type { Image } from '../../model/generated/shapes.ts';
import type { ServiceContext } from '../common/context.ts';
import { ownImages } from '../images/own-images.ts';

export interface LogStream {
  group: string;
  name: string;
  imageArn: string;
  file: string;
  created: number;
  /** Size and last change of the file, when it exists. */
  bytes: number;
  lastWrite: number | undefined;
}

export const defaultLogGroup = (imageName: string): string => `/aws/imagebuilder/${imageName}`;

/** The log group an image's build log belongs to. */
export function logGroupOf(image: Image): string {
  return image.loggingConfiguration?.logGroupName ?? defaultLogGroup(image.name ?? 'unknown');
}

/** Every log stream of the caller in this region, by group. */
export async function callerStreams(ctx: ServiceContext, home: string): Promise<Map<string, LogStream[]>> {
  const groups = new Map<string, LogStream[]>();
  for await (const r of ownImages(ctx, 1000)) {
    const file = imageLogFile(home, r.arn);
    const info = await stat(file).catch(() => undefined);
    const stream: LogStream = {
      group: logGroupOf(r.doc),
      name: `${r.version}/${r.build}`,
      imageArn: r.arn,
      file,
      created: Date.parse(r.createdAt),
      bytes: info?.size ?? 0,
      lastWrite: info?.mtimeMs,
    };
    const list = groups.get(stream.group) ?? [];
    list.push(stream);
    groups.set(stream.group, list);
  }
  return groups;
}

/**
 * @module Where the worker keeps each image's artifacts and log inside `$INGOT_HOME`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tryParseArn } from '../arn/arn.ts';

/** `$INGOT_HOME/images/REGION/ACCOUNT/NAME/VERSION/BUILD` */
export function imageOutputDir(home: string, imageArn: string): string {
  const a = tryParseArn(imageArn);
  if (a?.type !== 'image' || a.version === undefined || a.build === undefined)
    throw new Error(`not an image build version ARN: ${imageArn}`);
  return join(home, 'images', a.region, a.account, a.name, a.version, String(a.build));
}

export const imageLogFile = (home: string, imageArn: string): string =>
  join(imageOutputDir(home, imageArn), 'build.log');

/** An appender of timestamped lines to the image's build log (its directory made first). */
export function openImageLog(home: string, imageArn: string): (line: string) => void {
  const file = imageLogFile(home, imageArn);
  mkdirSync(dirname(file), { recursive: true });
  return (line) => appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

/** Appends lines a build host sent (each already timestamped by its sender) to the image's build log. */
export function appendImageLog(home: string, imageArn: string, lines: readonly string[]): void {
  if (!lines.length) return;
  const file = imageLogFile(home, imageArn);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, lines.map((l) => `${l.replace(/\n/g, ' ')}\n`).join(''));
}

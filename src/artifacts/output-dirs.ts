/**
 * @module Where the worker keeps each image's artifacts inside `$INGOT_HOME` (its build log is in the store).
 */
import { join } from 'node:path';
import { tryParseArn } from '../arn/arn.ts';

/** `$INGOT_HOME/images/REGION/ACCOUNT/NAME/VERSION/BUILD` */
export function imageOutputDir(home: string, imageArn: string): string {
  const a = tryParseArn(imageArn);
  if (a?.type !== 'image' || a.version === undefined || a.build === undefined)
    throw new Error(`not an image build version ARN: ${imageArn}`);
  return join(home, 'images', a.region, a.account, a.name, a.version, String(a.build));
}

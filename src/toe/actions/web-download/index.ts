/** @module WebDownload: downloads HTTP(S) files into the instance with retries and optional checksum verification. */
import { ActionFailure, defineAction } from '../define.ts';
import type { ActionContext } from '../define.ts';
import { downloadOnce, withRetries } from '../download.ts';
import { asObjects, bool, listValidator, str } from '../schema.ts';
import { checkPath, FAIL, sh, shOk } from '../shell.ts';

const TOOLS: Record<string, string> = { md5: 'md5sum', sha1: 'sha1sum', sha256: 'sha256sum', sha512: 'sha512sum' };
const PREPARE =
  FAIL +
  `dest=$1
[ -d "$dest" ] && fail "WebDownload: '$dest' is a folder"
[ "$2" = false ] && [ -e "$dest" ] && fail "WebDownload: '$dest' exists and overwrite is false"
mkdir -p -- "$(dirname -- "$dest")"`;

async function checksumMatches(
  ctx: ActionContext,
  dest: string,
  algorithm: string,
  checksum: string,
): Promise<boolean> {
  const r = await sh(ctx, '[ -f "$2" ] && "$1" -- "$2"', [TOOLS[algorithm.toLowerCase()]!, dest]);
  return r.exitCode === 0 && r.stdout.split(/\s/)[0]!.toLowerCase() === checksum.trim().toLowerCase();
}

export const webDownload = defineAction({
  name: 'WebDownload',
  platform: 'all',
  outputs: ['destination'],
  validateInputs: listValidator({
    source: { kind: 'string', required: true },
    destination: { kind: 'string', required: true },
    overwrite: { kind: 'boolean' },
    checksum: { kind: 'string' },
    algorithm: { kind: 'string', oneOf: ['MD5', 'SHA1', 'SHA256', 'SHA512'] },
    ignoreCertificateErrors: { kind: 'boolean' },
  }),
  async execute(inputs, ctx) {
    const destinations: string[] = [];
    for (const o of asObjects(inputs)) {
      const url = str(o, 'source') ?? '';
      if (!/^https?:\/\//i.test(url)) throw new ActionFailure(`WebDownload: '${url}' is not an http(s) URL`);
      let dest = checkPath(str(o, 'destination') ?? '', 'WebDownload');
      if (dest.endsWith('/')) dest += decodeURIComponent(new URL(url).pathname.split('/').pop() || 'download');
      const checksum = str(o, 'checksum');
      const algorithm = str(o, 'algorithm');
      const verify = checksum !== undefined && algorithm !== undefined;
      const overwrite = bool(o, 'overwrite', true);
      if (overwrite && verify && (await checksumMatches(ctx, dest, algorithm, checksum))) {
        ctx.log(`WebDownload: ${dest} already has the expected checksum; not downloading`);
      } else {
        await shOk(ctx, 'WebDownload', PREPARE, [dest, String(overwrite)]);
        await withRetries(ctx, 5, 'WebDownload', async () => {
          await downloadOnce(ctx, url, dest, bool(o, 'ignoreCertificateErrors', false));
          if (verify && !(await checksumMatches(ctx, dest, algorithm, checksum))) {
            await sh(ctx, 'rm -f -- "$1"', [dest]);
            throw new ActionFailure(`WebDownload: ${algorithm} checksum of ${url} does not match ${checksum}`);
          }
        });
        ctx.log(`WebDownload: ${url} -> ${dest}`);
      }
      destinations.push(dest);
    }
    return { outputs: { destination: destinations.join('\n') } };
  },
});

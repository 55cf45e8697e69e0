/** @module Fetches a URL into the instance: curl or wget inside it when present, else on the host then copyIn. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ActionFailure } from './define.ts';
import type { ActionContext } from './define.ts';
import { sh } from './shell.ts';

const IN_INSTANCE = `url=$1 dest=$2 insecure=$3
if command -v curl >/dev/null 2>&1; then
  if [ "$insecure" = true ]; then k=-k; else k=; fi
  curl -fsSL $k -o "$dest" -- "$url"
elif command -v wget >/dev/null 2>&1; then
  if [ "$insecure" = true ]; then k=--no-check-certificate; else k=; fi
  wget -q $k -O "$dest" -- "$url"
else exit 99; fi`;

async function downloadOnHost(ctx: ActionContext, url: string, dest: string): Promise<void> {
  const response = await fetch(url, { signal: ctx.signal, redirect: 'follow' });
  if (response.status !== 200) throw new ActionFailure(`GET ${url}: HTTP ${response.status}`);
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dl-'));
  try {
    const file = join(dir, 'download');
    // Streamed to the file: a download of any size in bounded memory.
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), createWriteStream(file));
    await ctx.instance.copyIn(file, dest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One download attempt: true when the file is in place. */
export async function downloadOnce(ctx: ActionContext, url: string, dest: string, insecure: boolean): Promise<void> {
  const result = await sh(ctx, IN_INSTANCE, [url, dest, String(insecure)]);
  if (result.exitCode === 99) return downloadOnHost(ctx, url, dest);
  if (result.exitCode !== 0)
    throw new ActionFailure(`GET ${url}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
}

/** Up to `attempts` tries with a growing pause (WebDownload's own retries, separate from maxAttempts). */
export async function withRetries<T>(
  ctx: ActionContext,
  attempts: number,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  let last: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      if (ctx.signal.aborted || i === attempts) break;
      ctx.log(`${what}: attempt ${i} failed (${err instanceof Error ? err.message : String(err)}), retrying`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** (i - 1)));
    }
  }
  throw last instanceof Error ? last : new ActionFailure(String(last));
}

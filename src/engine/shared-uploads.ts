/**
 * @module The build's uploads to the shared layer cache (INGOT_LAYER_CACHE_S3): they run while the
 * build goes on; at its end it waits for them a little, then leaves the rest to finish in the
 * background (their messages then go to the process's stderr, the build log being closed).
 */
import type { LayerCache } from '../cache/layer-cache.ts';
import type { BuildEventSink } from './events.ts';

/** What of the build's stack context (layer-stack.ts) the uploads use. */
export interface UploadContext {
  cache: LayerCache | undefined;
  cacheScope?: string | undefined;
  signal?: AbortSignal | undefined;
  onEvent: BuildEventSink;
  /** Uploads started by this build; none without a shared cache. */
  uploads?: { pending: Promise<void>[]; detached: boolean } | undefined;
}

/** How long the end of a build waits for its uploads to the shared layer cache. */
export const UPLOAD_WAIT_MS = 30_000;

/** Where the shared cache's messages of this build go: its log while it runs, stderr afterwards. */
export function sharedCacheLog(ctx: UploadContext): (line: string) => void {
  return (line) => {
    if (ctx.uploads?.detached) process.stderr.write(`ingot: ${line}\n`);
    else ctx.onEvent({ type: 'log', line });
  };
}

/** After a layer is built and stored under `key`: its upload starts (nothing without a shared cache). */
export function startUpload(ctx: UploadContext, key: string): void {
  const shared = ctx.cache?.shared;
  if (!shared || !ctx.uploads || !ctx.cache) return;
  ctx.uploads.pending.push(shared.publish(ctx.cache, key, ctx.cacheScope, sharedCacheLog(ctx)));
}

/** At the end of the build: waits up to `waitMs` for its uploads (not at all when it was cancelled). */
export async function settleUploads(ctx: UploadContext, waitMs = UPLOAD_WAIT_MS): Promise<void> {
  const u = ctx.uploads;
  if (!u?.pending.length) return;
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.all(u.pending).then(() => true);
  const waited = ctx.signal?.aborted
    ? false
    : await Promise.race([all, new Promise<false>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
  clearTimeout(timer);
  if (!waited)
    ctx.onEvent({
      type: 'log',
      line: `shared layer cache: ${u.pending.length} layer upload(s) go on in the background after the build`,
    });
  u.detached = true;
}

/**
 * @module Prints an image's build log from the store (whichever worker or server wrote it), and
 * with `follow` keeps printing new lines while the image's state is not final.
 */
import { IngotError } from '../../errors/ingot-error.ts';
import type { Image } from '../../model/generated/shapes.ts';
import { resolveSettings } from '../../config/settings.ts';
import { formatLogLine } from '../../services/logs/events.ts';
import { openStore } from '../../store/open.ts';
import type { Store } from '../../store/types.ts';

const TERMINAL = new Set(['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED']);
const PAGE = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function followLog(home: string, arn: string, follow: boolean): Promise<number> {
  const store = await openStore({ ...resolveSettings(process.env), home });
  try {
    const record = await store.resources.get<Image>(arn);
    if (!record) throw new IngotError('ResourceNotFoundException', `no image ${arn} in ${home}`);
    let seq = 0;
    for (;;) {
      seq = await printAfter(store, arn, seq);
      const status = (await store.resources.get<Image>(arn))?.doc.state?.status ?? 'DELETED';
      if (!follow || TERMINAL.has(status)) {
        seq = await printAfter(store, arn, seq);
        if (follow) process.stderr.write(`ingot logs: image is ${status}\n`);
        return status === 'FAILED' ? 1 : 0;
      }
      await sleep(500);
    }
  } finally {
    await store.close();
  }
}

/** Prints every line after `seq`; returns the last seq printed. */
async function printAfter(store: Store, arn: string, seq: number): Promise<number> {
  for (;;) {
    const lines = await store.buildLogs.read(arn, { after: seq, limit: PAGE });
    if (!lines.length) return seq;
    process.stdout.write(`${lines.map(formatLogLine).join('\n')}\n`);
    seq = lines.at(-1)!.seq;
  }
}

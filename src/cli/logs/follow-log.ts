/**
 * @module Reads an image's build log file, and with `follow` keeps reading while the image's state
 * (from the store) is not final.
 */
import { open } from 'node:fs/promises';
import { IngotError } from '../../errors/ingot-error.ts';
import type { Image } from '../../model/generated/shapes.ts';
import { resolveSettings } from '../../config/settings.ts';
import { openStore } from '../../store/open.ts';
import { imageLogFile } from '../../artifacts/output-dirs.ts';

const TERMINAL = new Set(['AVAILABLE', 'FAILED', 'CANCELLED', 'DELETED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function followLog(home: string, arn: string, follow: boolean): Promise<number> {
  const store = await openStore({ ...resolveSettings(process.env), home });
  try {
    const record = await store.resources.get<Image>(arn);
    if (!record) throw new IngotError('ResourceNotFoundException', `no image ${arn} in ${home}`);
    let offset = 0;
    for (;;) {
      offset = await printFrom(imageLogFile(home, arn), offset);
      const status = (await store.resources.get<Image>(arn))?.doc.state?.status ?? 'DELETED';
      if (!follow || TERMINAL.has(status)) {
        offset = await printFrom(imageLogFile(home, arn), offset);
        if (follow) process.stderr.write(`ingot logs: image is ${status}\n`);
        return status === 'FAILED' ? 1 : 0;
      }
      await sleep(500);
    }
  } finally {
    await store.close();
  }
}

async function printFrom(file: string, offset: number): Promise<number> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return offset;
  try {
    const { size } = await handle.stat();
    if (size <= offset) return offset;
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    process.stdout.write(buffer);
    return size;
  } finally {
    await handle.close();
  }
}

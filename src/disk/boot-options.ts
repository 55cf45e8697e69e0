/**
 * @module A recipe's choices about its boot disk, from its `ingot:*` tags: the firmware it boots
 * under (`ingot:boot-mode`: hybrid, uefi or bios) and whether cloud-init is in it (`ingot:cloud-init`).
 */
import * as v from 'valibot';
import { TAGS } from '../config/tags.ts';
import { IngotError } from '../errors/ingot-error.ts';
import type { BootMode } from './grub.ts';

export interface BootOptions {
  bootMode?: BootMode;
  /** False when the recipe opts out of cloud-init. */
  cloudInit?: boolean;
}

const read = (tags: Readonly<Record<string, string>> | undefined, tag: string, where: string): string | undefined => {
  const raw = tags?.[tag];
  if (raw === undefined) return undefined;
  const r = v.safeParse(TAGS.find((t) => t.tag === tag)!.parse, raw);
  if (!r.success) throw new IngotError('invalid-input', `${where}: tag ${tag}: ${r.issues[0].message}, got '${raw}'`);
  return r.output as string;
};

export function bootOptionsFromTags(tags: Readonly<Record<string, string>> | undefined, where: string): BootOptions {
  const mode = read(tags, 'ingot:boot-mode', where);
  const cloudInit = read(tags, 'ingot:cloud-init', where);
  return {
    ...(mode ? { bootMode: mode as BootMode } : {}),
    ...(cloudInit ? { cloudInit: cloudInit === 'on' } : {}),
  };
}

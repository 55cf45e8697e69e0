/**
 * @module Reads a recipe's `parentImage` text into a ParentSpec: a managed base by name or by its
 * ARN (`arn:aws:imagebuilder:REGION:aws:image/debian-12-x86/x.x.x`), a rootfs tarball path,
 * `oci:`/`oci-archive:` references, or (through `resolveImageArn`) an earlier Ingot image.
 */
import { tryParseArn } from '../arn/arn.ts';
import { MANAGED_BASES } from '../bases/catalogue.ts';
import { baseForSsmParameter, unsupportedParentHint } from '../bases/parent-refs.ts';
import { IngotError } from '../errors/ingot-error.ts';
import { DEFAULT_PARENT, type ParentSpec } from './request.ts';

export async function parseParentImage(
  text: string | undefined,
  resolveImageArn?: (arn: string) => Promise<ParentSpec>,
): Promise<ParentSpec> {
  if (text === undefined || text === '') return DEFAULT_PARENT;
  const byName = MANAGED_BASES.find((b) => b.name === text);
  if (byName) return { type: 'managed', base: byName.name };
  const bySsm = baseForSsmParameter(text);
  if (bySsm) return { type: 'managed', base: bySsm };
  if (text.startsWith('oci:') || text.startsWith('oci-archive:')) return { type: 'oci', reference: text };
  if (text.startsWith('/')) return { type: 'rootfs-tarball', path: text };
  if (text.startsWith('file://')) return { type: 'rootfs-tarball', path: text.slice('file://'.length) };
  const arn = tryParseArn(text);
  if (arn?.type === 'image') {
    const managed = arn.account === 'aws' ? MANAGED_BASES.find((b) => b.arnNameSuffix === arn.name) : undefined;
    if (managed) return { type: 'managed', base: managed.name };
    if (resolveImageArn) return resolveImageArn(text);
  }
  const hint = unsupportedParentHint(text);
  if (hint) throw new IngotError('invalid-input', hint);
  throw new IngotError(
    'invalid-input',
    `parentImage '${text}' is not something Ingot can build from: use debian-12, debian-13, debian-12-minimal, arn:aws:imagebuilder:REGION:aws:image/debian-12-x86/x.x.x, an Ingot image ARN, an absolute path to a rootfs tarball, or oci:DIR[:TAG] / oci-archive:FILE[:TAG].`,
  );
}

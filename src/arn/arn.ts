/**
 * @module Image Builder ARNs in AWS's exact form:
 * `arn:aws:imagebuilder:REGION:ACCOUNT:TYPE/NAME[/MAJOR.MINOR.PATCH[/BUILD]]`, where ACCOUNT is
 * a 12-digit id or `aws` for managed resources, and NAME is the resource name lower-cased with
 * spaces turned into hyphens. Workflows have their type in the path
 * (`workflow/build|test|distribution/NAME/…`): their NAME here is `build/NAME` (see workflowName).
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { ResourceType } from '../store/types.ts';
import { RESOURCE_TYPES } from '../store/types.ts';

export interface ParsedArn {
  partition: string;
  region: string;
  account: string;
  type: ResourceType;
  /** The name as it appears in the ARN (lower case, hyphens). */
  name: string;
  /** `1.0.0`, or with wildcards `1.x.x`; undefined for unversioned resources. */
  version?: string;
  build?: number;
}

const ARN_RE =
  /^arn:(aws[^:]*):imagebuilder:([a-z0-9-]{1,64}):([0-9]{12}|aws(?:-[a-z-]+)?):([a-z-]+)\/((?:(?:build|test|distribution)\/)?[a-z0-9-_]+)(?:\/((?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:\/([0-9]+))?)?$/;

export function tryParseArn(arn: string): ParsedArn | undefined {
  const m = ARN_RE.exec(arn);
  if (!m) return undefined;
  const type = m[4] as ResourceType;
  if (!RESOURCE_TYPES.includes(type)) return undefined;
  // Only workflows have a type segment before their name.
  if ((type === 'workflow') !== m[5]!.includes('/')) return undefined;
  const parsed: ParsedArn = { partition: m[1]!, region: m[2]!, account: m[3]!, type, name: m[5]! };
  if (m[6] !== undefined) parsed.version = m[6];
  if (m[7] !== undefined) parsed.build = Number(m[7]);
  return parsed;
}

/** Parses an ARN the caller gave in `field`, checking its resource type. */
export function parseArn(arn: string, field: string, expected?: ResourceType | readonly ResourceType[]): ParsedArn {
  const parsed = tryParseArn(arn);
  if (!parsed)
    throw new IngotError(
      'InvalidParameterValueException',
      `The value supplied for parameter '${field}' is not a valid Image Builder ARN: '${arn}'.`,
    );
  const allowed = expected === undefined ? undefined : Array.isArray(expected) ? expected : [expected];
  if (allowed && !allowed.includes(parsed.type)) {
    throw new IngotError(
      'InvalidParameterValueException',
      `The value supplied for parameter '${field}' must be an ARN of type ${allowed.join(' or ')}, not '${parsed.type}': '${arn}'.`,
    );
  }
  return parsed;
}

/** The name as used in ARNs. */
export function arnName(name: string): string {
  return name.toLowerCase().replace(/ /g, '-');
}

export function formatArn(p: {
  region: string;
  account: string;
  type: ResourceType;
  name: string;
  version?: string;
  build?: number;
  partition?: string;
}): string {
  let arn = `arn:${p.partition ?? 'aws'}:imagebuilder:${p.region}:${p.account}:${p.type}/${arnName(p.name)}`;
  if (p.version !== undefined) arn += `/${p.version}`;
  if (p.build !== undefined) arn += `/${p.build}`;
  return arn;
}

/** A workflow's name as ARNs and the store key it: `build/NAME` for a BUILD workflow. */
export function workflowName(type: 'BUILD' | 'TEST' | 'DISTRIBUTION', name: string): string {
  return `${type.toLowerCase()}/${arnName(name)}`;
}

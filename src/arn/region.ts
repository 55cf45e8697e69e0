/**
 * @module Region names Ingot accepts (in a signature's credential scope, a distribution, an ARN):
 * AWS's form (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`) or an on-premises site (`site-lab-a`).
 * Anything else is refused: a region becomes part of paths under INGOT_HOME.
 */
const AWS_REGION =
  /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso|-isob)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9][0-9]?$/;
const SITE_REGION = /^site-[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function isRegionName(name: string): boolean {
  return AWS_REGION.test(name) || SITE_REGION.test(name);
}

/** Why `name` is no region, for error messages (undefined when it is one). */
export function regionProblem(name: string): string | undefined {
  if (isRegionName(name)) return undefined;
  const shown = name.length > 64 ? `${name.slice(0, 64)}… (${name.length} characters)` : name;
  return `'${shown}' is not a region name: use an AWS region (like us-east-1) or a site name (like site-lab-a)`;
}

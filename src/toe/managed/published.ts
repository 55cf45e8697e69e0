/**
 * @module AWS's managed component catalogue as real recipes pin it: the version numbers AWS
 * published for the components Ingot re-implements (each resolves to Ingot's document), and the
 * AWS components Ingot does not have, with what Ingot offers instead.
 */

/**
 * Version numbers AWS published (as seen pinned in public recipes, e.g. `update-linux/1.0.2/1`,
 * `reboot-linux/1.0.1/1`, `aws-cli-version-2-linux/1.0.4/1`); the versions in between are
 * published too. Components not listed have only 1.0.0.
 */
export const PUBLISHED_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'update-linux': ['1.0.0', '1.0.1', '1.0.2'],
  'reboot-linux': ['1.0.0', '1.0.1'],
  'aws-cli-version-2-linux': ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'],
  'python-3-linux': ['1.0.0', '1.0.1', '1.0.2'],
};

export const publishedVersions = (name: string): readonly string[] => PUBLISHED_VERSIONS[name] ?? ['1.0.0'];

/** AWS managed components Ingot lacks, by name pattern, and what to use instead. */
const ABSENT: ReadonlyArray<[RegExp, string]> = [
  [
    /^amazon-cloudwatch-agent-/,
    'Ingot has no CloudWatch; install a metrics or log agent from Debian in an ExecuteBash step (for example apt-get install -y prometheus-node-exporter or collectd)',
  ],
  [
    /^stig-build-linux/,
    'for hardening use cis-debian-level1-server or cis-debian-level2-server (CIS Debian 12 benchmarks), and the compliance scan of the image workflow',
  ],
  [
    /^amazon-corretto-/,
    'install a JDK from Debian in an ExecuteBash step (apt-get install -y openjdk-17-jdk-headless)',
  ],
  [/^inspector-test-/, "Ingot scans every image for CVEs itself (the image's findings, ListImageScanFindings)"],
  [
    /^(aws-codedeploy-agent|amazon-kinesis-agent|aws-ssm-agent|amazon-ssm-agent|eni-attachment-test|ebs-volume-usage-test|ecs-optimized-ami|eks-optimized-ami|amazon-linux-)/,
    'it needs an AWS service that Ingot does not run; write your own component for what it should do',
  ],
  [/^yum-repository-test-|^update-linux-kernel-/, 'these target Amazon Linux; on Debian use update-linux'],
  [/^(dotnet-|powershell-|mate-de-|go-stable-)/, 'install it from Debian or its vendor in an ExecuteBash step'],
];

/** Says that Ingot lacks the AWS managed component `name`, what to use instead, and what Ingot offers. */
export function absentManagedComponent(name: string, offered: readonly string[]): string {
  const instead = ABSENT.find(([re]) => re.test(name))?.[1];
  return `Ingot does not have the AWS managed component '${name}'${instead ? `: ${instead}` : ''}. Ingot's managed components are: ${offered.join(', ')}.`;
}

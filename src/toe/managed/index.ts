/** @module Ingot's managed components: AWSTOE documents for Debian/Ubuntu, named like Image Builder's Amazon-owned ones. */
import { readFileSync } from 'node:fs';

export interface ManagedComponent {
  name: string;
  semanticVersion: string;
  platform: 'Linux';
  description: string;
  supportedOsVersions?: string[];
  /** The component document (YAML). */
  data: string;
}

const DEBIAN_UBUNTU = ['Debian 12', 'Debian 13', 'Ubuntu 22.04', 'Ubuntu 24.04'];

const read = (name: string): string => readFileSync(new URL(`./documents/${name}.yml`, import.meta.url), 'utf8');

function managed(name: string, description: string, supportedOsVersions?: string[]): ManagedComponent {
  return {
    name,
    semanticVersion: '1.0.0',
    platform: 'Linux',
    description,
    ...(supportedOsVersions ? { supportedOsVersions } : {}),
    data: read(name),
  };
}

export const MANAGED_COMPONENTS: readonly ManagedComponent[] = [
  managed('hello-world-linux', 'Prints a greeting in each phase (checks that components run).'),
  managed('update-linux', 'Installs all pending security updates with apt.', DEBIAN_UBUNTU),
  managed('aws-cli-version-2-linux', "Installs the AWS CLI version 2 from the distribution's awscli package.", [
    'Debian 12',
    'Debian 13',
  ]),
  managed('python-3-linux', 'Installs Python 3 with pip and venv.', DEBIAN_UBUNTU),
  managed('chrony-time-configuration-test', 'Tests that chrony is installed and has a time source.', DEBIAN_UBUNTU),
  managed('reboot-linux', 'Reboots the instance.'),
  managed('reboot-test-linux', 'Tests that a reboot requested with exit code 194 resumes the build.'),
  managed('simple-boot-test-linux', 'Reboots once and checks that the system comes back healthy.'),
  managed('docker-ce-linux', "Installs Docker from the distribution's docker.io package.", DEBIAN_UBUNTU),
  managed(
    'cis-debian-level1-server',
    'Applies the CIS Debian 12 Level 1 Server controls that fit an image (SkipControls to leave some out).',
    ['Debian 12'],
  ),
  managed('cis-debian-level2-server', 'Adds the CIS Debian 12 Level 2 Server controls on top of Level 1.', [
    'Debian 12',
  ]),
];

/** Informal names (e.g. in the brief's seed recipe) for managed components. */
const ALIASES: Record<string, string> = {
  'aws-cli-version-x': 'aws-cli-version-2-linux',
  'aws-cli-version-2': 'aws-cli-version-2-linux',
  'aws-cli': 'aws-cli-version-2-linux',
  'amazon-linux-2-security-updates': 'update-linux',
  'security-updates': 'update-linux',
  'update-linux-security': 'update-linux',
  'python-3': 'python-3-linux',
  'docker-ce': 'docker-ce-linux',
  'hello-world': 'hello-world-linux',
  'cis-level-1': 'cis-debian-level1-server',
  'cis-level-2': 'cis-debian-level2-server',
};

/**
 * The managed component name for `name`: a managed name, an alias, or an ARN such as
 * `arn:aws:imagebuilder:us-east-1:aws:component/aws-cli-version-x[/1.0.0[/1]]`. Undefined when unknown.
 */
export function resolveManagedAlias(name: string): string | undefined {
  const bare = /:component\/([^/]+)/.exec(name)?.[1] ?? name;
  const key = bare.toLowerCase();
  if (MANAGED_COMPONENTS.some((c) => c.name === key)) return key;
  return ALIASES[key];
}

export function findManagedComponent(nameOrAlias: string): ManagedComponent | undefined {
  const name = resolveManagedAlias(nameOrAlias);
  return MANAGED_COMPONENTS.find((c) => c.name === name);
}

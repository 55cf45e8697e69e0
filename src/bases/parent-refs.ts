/**
 * @module Parent image references from AWS recipes that are not Ingot's own forms: SSM parameters
 * (`ssm:/aws/service/debian/release/12/latest/amd64`, Debian's published AMI parameters, resolve to
 * the managed base) and container registry references (`docker.io/library/debian:12`), which
 * Ingot does not pull by itself: the message says how to import them.
 */
import type { ManagedBaseName } from './catalogue.ts';

const DEBIAN_SSM: Record<string, ManagedBaseName> = {
  '12': 'debian-12',
  bookworm: 'debian-12',
  '13': 'debian-13',
  trixie: 'debian-13',
};

/** The managed base an SSM parameter of Debian's AMIs names (amd64, latest), or undefined. */
export function baseForSsmParameter(text: string): ManagedBaseName | undefined {
  const m = /^ssm:\/aws\/service\/debian\/release\/([a-z0-9]+)\/latest\/amd64$/.exec(text.trim());
  return m ? DEBIAN_SSM[m[1]!] : undefined;
}

/** A registry reference such as docker.io/library/debian:12, public.ecr.aws/x/y:tag or debian:12. */
const REGISTRY_REF = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+(?::[\w.-]+|@sha256:[0-9a-f]{64})$/;

/** Why `text` cannot be a parent image and how to make it one, or undefined when it is none of these forms. */
export function unsupportedParentHint(text: string): string | undefined {
  if (text.startsWith('ssm:')) {
    return `parentImage '${text}': Ingot has no SSM Parameter Store. It resolves Debian's own parameters (ssm:/aws/service/debian/release/12/latest/amd64, …/13/latest/amd64) to the managed bases; for anything else import the image (ImportDiskImage, or a rootfs tarball path / oci-archive:FILE) and use its ARN, or use debian-12 / debian-13.`;
  }
  if (/^ami-[0-9a-f]+$/.test(text)) {
    return `parentImage '${text}': Ingot cannot read EC2 AMIs. Export the AMI's disk (for example with aws ec2 export-image) and import it with ImportDiskImage, then use the image's ARN; or use debian-12 / debian-13.`;
  }
  if (!/^(arn:|\/|file:|oci:|oci-archive:)/.test(text) && REGISTRY_REF.test(text)) {
    const ref = text.includes('/') ? text : `docker.io/library/${text}`;
    return `parentImage '${text}' is a container registry reference; Ingot does not pull from registries by itself. Copy it into an OCI archive first (skopeo copy docker://${ref} oci-archive:/PATH/parent.tar:latest) and use parentImage oci-archive:/PATH/parent.tar:latest.`;
  }
  return undefined;
}

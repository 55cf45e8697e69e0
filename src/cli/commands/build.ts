/**
 * @module `ingot build FILE`: a one-shot local build without a server, like `packer build`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';
import { DISK_FORMATS, FORMATS, parseDiskFormats } from '../../disk/formats/table.ts';

const usage = `Usage: ingot build FILE [--output DIR] [--no-cache] [--compression gzip|zstd] [--skip-tests]
                   [--instance-type TYPE] [--timeout MINUTES] [--keep-on-failure] [--host-network]
                   [--findings-feed FILE] [--fail-on-severity SEV] [--compliance]
                   [--compliance-profile P] [--sign-key PEM]
                   [--format ${DISK_FORMATS.join(',')}|tar]

Builds the recipe in FILE on this machine: runs every component's build phase in a sandbox
(one cached layer per component), the validate phases, writes the outputs, then runs the test
phases in a fresh instance started from the output. A rebuild with the same recipe and component
files, flags, settings and base as the last successful one places its cached outputs at once
(OCI blobs and image.oci.tar as hard links into the cache: write copies, do not edit them in place).
A build killed before it could clean up (SIGKILL, out of memory, power loss) leaves its work dir
in $INGOT_HOME/work; the next \`ingot build\` there removes it and stops what still runs of it.

FILE is one of:
  - the short YAML form: name, version, components: [{ name, version, uri }], parentImage (optional)
  - an AWS CreateImageRecipe or CreateContainerRecipe request as JSON (the --cli-input-json shape)
  - a bundle: the same with each component's document inline as \`data\`
A component's uri may be a managed component (ARN or name), a component ARN of the local store,
or a path to a document file relative to FILE. A recipe with dockerfileTemplateData or
targetRepository is a container recipe (output: OCI image layout + oci-archive); otherwise the
output is a bootable disk, disk.qcow2 (BIOS and UEFI with Secure Boot, cloud-init), unless
--format or INGOT_IMAGE_FORMATS says otherwise. Without parentImage the parent is debian-12.
A recipe's tags pin the firmware (ingot:boot-mode: uefi|bios) or leave cloud-init out
(ingot:cloud-init: off); see docs/disk-images.md.
A container build prints its image's reference, oci:OUTPUT/oci:VERSION (use it with skopeo or
umoci: the layout also lists the image's SBOM referrers, so oci:OUTPUT/oci alone is ambiguous).

Options:
  --output DIR        where to write the artifacts and manifest.json
                      (default ./ingot-output/NAME-VERSION)
  --no-cache          rebuild every layer (the layer cache in $INGOT_HOME/cache is not read or
                      written)
  --compression C     layer compression for container images: gzip (default) or zstd
  --skip-tests        do not run the test phases
  --instance-type T   CPU/memory/process limits of the build and test instances (default
                      ingot.medium; see docs/instance-types.md); ingot.vm.small|medium|large runs
                      an image recipe's components in a qemu VM instead (Reboot steps, exit code
                      194 and systemd services work there) and its test phases in a VM booted from
                      the image; an image recipe whose component starts or checks a service
                      (systemctl start, is-active, daemon-reload, service X restart, ...) gets one
                      by itself
                      (INGOT_SYSTEMD_ROUTING=off keeps it in sandboxes)
  --timeout MINUTES   fail the build if it has not finished in this time
                      (default $INGOT_BUILD_TIMEOUT_MINUTES, else 240)
  --keep-on-failure   keep the build's work directory (layers, upper dirs) when it fails
  --host-network      run steps in the host's network namespace (default: an isolated, outbound-only
                      network with no access to host ports; see docs/security.md)
  --format LIST       image recipes: the bootable disk images to write, comma-separated (default
                      $INGOT_IMAGE_FORMATS, else qcow2), or tar for the root file system as
                      rootfs.tar.zst and no disk; the root size comes from the recipe's
                      blockDeviceMappings (default 8 GiB), the test phase boots the disk under qemu
                      (SSH key through cloud-init), and the OVA's VM gets --instance-type's vCPUs
                      and memory:
${DISK_FORMATS.map((f) => `                        ${f.padEnd(6)} ${FORMATS[f].platforms}`).join('\n')}

Evidence (written next to the artifacts; see docs/security.md):
  SBOMs are always made: sbom.spdx.json (SPDX 2.3) and sbom.cdx.json (CycloneDX 1.6), and for
  container images attached to the OCI image as referrers.
  --findings-feed FILE    match the SBOM against this Debian security tracker JSON (findings.json);
                          default $INGOT_SECURITY_FEED, else a feed imported into $INGOT_HOME
  --fail-on-severity SEV  fail the build if a finding is at least SEV (CRITICAL, HIGH, MEDIUM, LOW)
  --compliance            score the image with OpenSCAP and Lynis into compliance/ (takes minutes)
  --compliance-profile P  the SSG profile OpenSCAP evaluates (default cis_level1_server)
  --sign-key PEM          sign the OCI image (cosign format) and SHA256SUMS (SHA256SUMS.sig);
                          default $INGOT_SIGNING_KEY. Check with \`ingot verify DIR\`.

Exit status: 0 when the build and its tests passed, 1 otherwise.`;

export const command: CommandModule = {
  summary: 'build a recipe locally, without a server',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string' },
        'no-cache': { type: 'boolean' },
        compression: { type: 'string' },
        'skip-tests': { type: 'boolean' },
        'keep-on-failure': { type: 'boolean' },
        'host-network': { type: 'boolean' },
        format: { type: 'string' },
        'instance-type': { type: 'string' },
        timeout: { type: 'string' },
        'findings-feed': { type: 'string' },
        'fail-on-severity': { type: 'string' },
        compliance: { type: 'boolean' },
        'compliance-profile': { type: 'string' },
        'sign-key': { type: 'string' },
      },
    });
    if (positionals.length !== 1)
      throw new IngotError('ValidationException', 'give exactly one recipe FILE (see ingot build --help)');
    const compression = values.compression ?? 'gzip';
    if (compression !== 'gzip' && compression !== 'zstd')
      throw new IngotError('ValidationException', `--compression must be gzip or zstd, not '${compression}'`);
    const { layerCacheOptions, resolveSettings } = await import('../../config/settings.ts');
    const { requestKey } = await import('../build/noop-record.ts');
    const settings = resolveSettings(process.env);
    const timeoutMinutes = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMinutes !== undefined && !(timeoutMinutes > 0))
      throw new IngotError(
        'ValidationException',
        `--timeout must be a positive number of minutes, not '${values.timeout}'`,
      );
    const { isKnownInstanceType, KNOWN_INSTANCE_TYPES } = await import('../../cgroups/instance-types.ts');
    const instanceType = values['instance-type'];
    if (instanceType !== undefined && !isKnownInstanceType(instanceType)) {
      throw new IngotError(
        'ValidationException',
        `unknown --instance-type '${instanceType}'; known: ${KNOWN_INSTANCE_TYPES.join(', ')}`,
      );
    }
    const file = resolve(positionals[0]!);
    // Everything the build depends on but the files it reads and the output directory.
    const noopKey = requestKey([file, { ...values, output: undefined }, settings]);
    if (!values['no-cache'] && !(values['sign-key'] || settings.signingKey)) {
      const started = performance.now();
      const { tryNoopBuild } = await import('../build/noop-build.ts');
      const hit = await tryNoopBuild({
        cacheRoot: layerCacheOptions(settings).root,
        key: noopKey,
        output: values.output,
      });
      if (hit) {
        process.stderr.write(
          `ingot build: nothing changed since the last build of ${file}: outputs reused (${Math.round(performance.now() - started)} ms)\n`,
        );
        const { printOutputs } = await import('../build/print-outputs.ts');
        printOutputs(hit.outputDir, hit.manifest, hit.manifestPath);
        return 0;
      }
    }
    const { runLocalBuild } = await import('../build/local-build.ts');
    const result = await runLocalBuild({
      file: positionals[0]!,
      noopKey,
      output: values.output,
      noCache: values['no-cache'] === true,
      compression,
      runTests: values['skip-tests'] !== true,
      keepOnFailure: values['keep-on-failure'] === true,
      hostNetwork: values['host-network'] === true,
      ...(values.format !== undefined ? { diskFormats: parseDiskFormats(values.format) } : {}),
      instanceType,
      timeoutMinutes,
      findingsFeed: values['findings-feed'],
      failOnSeverity: values['fail-on-severity'],
      compliance:
        values.compliance || values['compliance-profile'] !== undefined
          ? (values['compliance-profile'] ?? 'cis_level1_server')
          : undefined,
      signKey: values['sign-key'],
      settings,
    });
    return result.ok ? 0 : 1;
  },
};

/**
 * @module ImportDiskImage and ImportVmImage. ImportDiskImage takes an existing disk (raw, qcow2,
 * vmdk, vhdx or vhd with an ext2/3/4 root) on this host as a new image: it checks what can be
 * checked now (the file, its format, the infrastructure configuration), stores the image PENDING
 * with the next build number of (name, semanticVersion) and queues a job; the worker
 * (src/worker/process-import.ts) copies the disk's root file system out into the image's
 * `rootfs.tar.zst`, so the image can be a later recipe's `parentImage`. ImportVmImage names an EC2
 * VM Import task, which has no meaning here, and is refused with a pointer to ImportDiskImage.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arnName } from '../../arn/arn.ts';
import { runCommand } from '../../process/index.ts';
import { IngotError } from '../../errors/ingot-error.ts';
import type {
  Image,
  ImportDiskImageRequest,
  ImportDiskImageResponse,
  ImportVmImageRequest,
  ImportVmImageResponse,
  InfrastructureConfiguration,
} from '../../model/generated/shapes.ts';
import { arnOf, readResource } from '../common/access.ts';
import { dropUndefined, nowIso, type ServiceContext, tagsField } from '../common/context.ts';
import { idempotent } from '../common/idempotency.ts';
import { IMPORT_BUILD_TYPE } from '../../queue/job-kinds.ts';
import { enqueueJob } from '../../queue/queue.ts';

/** What AWS records for an image made by ImportDiskImage. */
/** Disk formats `importDisk` reads (qemu-img's names; `vpc` is VHD). */
const IMPORTABLE = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vpc'];

const invalid = (field: string, message: string) =>
  new IngotError(
    'InvalidParameterValueException',
    `The value supplied for parameter '${field}' is not valid: ${message}`,
  );

/** The local file a `uri` names: an absolute path or a `file://` URL. */
export function diskPathOf(uri: string): string {
  if (/^s3:\/\//i.test(uri)) {
    throw invalid(
      'uri',
      `'${uri}' is an S3 URI; Ingot imports disks from its own host only. Copy the disk to the Ingot host and pass its absolute path or a file:// URL.`,
    );
  }
  if (/^file:/i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw invalid(
        'uri',
        `'${uri}' is not a usable file:// URL (${(err as Error).message}); use file:///absolute/path/disk.qcow2.`,
      );
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri))
    throw invalid('uri', `'${uri}': only an absolute path on the Ingot host or a file:// URL can be imported.`);
  if (!isAbsolute(uri))
    throw invalid(
      'uri',
      `'${uri}' is not an absolute path; pass the disk's absolute path on the Ingot host or a file:// URL.`,
    );
  return uri;
}

/** Checks that `path` is a readable regular file in a format Ingot imports; returns the format. */
async function checkDisk(path: string): Promise<string> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw invalid('uri', `the disk file '${path}' does not exist on the Ingot host.`);
  if (!st.isFile()) throw invalid('uri', `'${path}' is not a regular file (a disk image file is expected).`);
  await access(path, constants.R_OK).catch(() => {
    throw invalid('uri', `the disk file '${path}' is not readable by the Ingot server.`);
  });
  const info = await runCommand(['qemu-img', 'info', '--output=json', path]).catch((err: unknown) => {
    throw invalid('uri', `'${path}' is not a disk image qemu-img can read (${(err as Error).message.slice(0, 300)}).`);
  });
  const format = (JSON.parse(info.stdout) as { format?: string }).format ?? 'unknown';
  if (!IMPORTABLE.includes(format))
    throw invalid('uri', `'${path}' is a ${format} disk; Ingot imports raw, qcow2, vmdk, vhdx and vhd disks.`);
  return format;
}

export async function importDiskImage(
  ctx: ServiceContext,
  input: ImportDiskImageRequest,
): Promise<ImportDiskImageResponse> {
  if (input.platform !== 'Linux')
    throw invalid(
      'platform',
      `'${input.platform}': Ingot imports Linux disks (an ext2/3/4 root file system); use 'Linux'.`,
    );
  // The file is checked before the idempotency transaction: qemu-img must not run under the store's write lock.
  const path = diskPathOf(input.uri);
  const format = await checkDisk(path);
  return idempotent(ctx, 'ImportDiskImage', input, async () => {
    const infra = (
      await readResource<InfrastructureConfiguration>(
        ctx,
        input.infrastructureConfigurationArn,
        'infrastructureConfigurationArn',
        'infrastructure-configuration',
      )
    ).doc;
    const arn = await ctx.store.transaction(async () => {
      const version = input.semanticVersion;
      const build =
        (await ctx.store.resources.maxBuild('image', ctx.accountId, ctx.region, arnName(input.name), version)) + 1;
      const arn = arnOf(ctx, 'image', input.name, version, build);
      const now = nowIso();
      const doc: Image = dropUndefined({
        arn,
        type: 'AMI',
        name: input.name,
        version,
        platform: 'Linux',
        osVersion: input.osVersion,
        state: { status: 'PENDING' },
        infrastructureConfiguration: infra,
        dateCreated: now,
        outputResources: {},
        ...tagsField(input.tags),
        buildType: IMPORT_BUILD_TYPE,
        imageSource: 'IMPORTED',
        executionRole: input.executionRole,
        loggingConfiguration: input.loggingConfiguration,
      });
      await ctx.store.resources.insert({
        arn,
        type: 'image',
        account: ctx.accountId,
        region: ctx.region,
        name: arnName(input.name),
        version,
        build,
        doc,
        createdAt: now,
        updatedAt: now,
      });
      await enqueueJob(ctx.store.jobs, {
        kind: 'image-import',
        resourceArn: arn,
        payload: { accountId: ctx.accountId, region: ctx.region, uri: path, format },
      });
      return arn;
    });
    ctx.notifyQueued?.();
    return { clientToken: input.clientToken, imageBuildVersionArn: arn };
  });
}

export function importVmImage(_ctx: ServiceContext, input: ImportVmImageRequest): Promise<ImportVmImageResponse> {
  return Promise.reject(
    new IngotError(
      'ClientException',
      `ImportVmImage imports the result of an EC2 VM Import task ('vmImportTaskId' ${JSON.stringify(input.vmImportTaskId)}), which does not exist in Ingot. Use ImportDiskImage with 'uri' set to the disk file (raw, qcow2, vmdk, vhdx or vhd) on the Ingot host.`,
    ),
  );
}

/**
 * @module `ingot bases list | refresh [NAME...]`: the managed Debian bases this machine has
 * bootstrapped, and a fresh bootstrap on request (builds otherwise refresh a base older than a week).
 */
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { ManagedBaseName } from '../../bases/catalogue.ts';
import type { CommandModule } from '../command.ts';

const usage = `Usage: ingot bases list
       ingot bases refresh [debian-12|debian-13|debian-12-minimal ...]

Managed base images are bootstrapped with mmdebstrap from the Debian mirror apt is configured
with (debian-12 and debian-13 with what Debian's cloud images carry, debian-12-minimal as
minbase), cached in $INGOT_BASES_HOME (default $INGOT_HOME) and reused; a build refreshes a base
older than 7 days.

\`refresh\` bootstraps the named bases (default: all) now. It also makes each base's gzip
container base layer and keeps it beside the base (the way buildah keeps an imported base), so no
container build makes it (a base bootstrapped by a build gets it from its first container build,
made while the components run). And it prepares the bootable-disk layer of debian-12 and
debian-13 (kernel, GRUB for BIOS and UEFI, signed shim, cloud-init, OpenSSH) beside the base in
$INGOT_BASES_HOME, as an AMI ships with its kernel: the first disk build of every INGOT_HOME
sharing it does not make the layer (without a refresh, the first disk build on a base makes it
there once). The layer is Ingot's own content, shared by every account, remade when its
definition changes and removed with its base version.`;

export const command: CommandModule = {
  summary: 'list or refresh the managed Debian base images',
  usage,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
    const [action, ...names] = positionals;
    const { MANAGED_BASES, ensureBaseImage, readCurrentBase } = await import('../../bases/index.ts');
    const { PREPARED_BASE_LAYER, ensureBaseLayer } = await import('../../bases/base-layer-blob.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    const { prepareBootLayer } = await import('../../engine/disk/prepare-boot-layer.ts');
    const { instancePassIn } = await import('../../instance/pass-in.ts');
    const { formatEvent } = await import('../../engine/events.ts');
    const settings = resolveSettings(process.env);
    const home = settings.basesHome;
    if (action === 'list' && names.length === 0) {
      for (const base of MANAGED_BASES) {
        const current = await readCurrentBase(home, base.name);
        const state = current
          ? `${current.image.version}  ${current.image.digest.slice(0, 19)}  ${current.meta.packageCount} packages  ${current.image.createdAt}`
          : 'not bootstrapped yet';
        process.stdout.write(`${base.name.padEnd(18)} ${base.osVersion.padEnd(10)} ${state}\n`);
      }
      return 0;
    }
    if (action !== 'refresh')
      throw new IngotError('ValidationException', `expected 'list' or 'refresh' (see ingot bases --help)`);
    const known = MANAGED_BASES.map((b) => b.name) as string[];
    for (const n of names)
      if (!known.includes(n))
        throw new IngotError('ValidationException', `unknown base '${n}'; known: ${known.join(', ')}`);
    for (const name of (names.length ? names : known) as ManagedBaseName[]) {
      process.stderr.write(`ingot bases: bootstrapping ${name}...\n`);
      const base = await ensureBaseImage(name, {
        ingotHome: home,
        refresh: true,
        onProgress: (line) => process.stderr.write(`  ${line}\n`),
      });
      process.stdout.write(`${name} ${base.version} ${base.digest}\n`);
      // The container base layer a default container build asks for, made beside the base while
      // the bootable-disk layer is prepared (its descriptor, written last, marks it complete).
      const blob = ensureBaseLayer(base.rootfsDir, PREPARED_BASE_LAYER.compression, {
        onProgress: (line) => process.stderr.write(`  ${line}\n`),
      });
      blob.catch(() => {});
      if (name === 'debian-12-minimal') {
        await blob;
        continue;
      }
      process.stderr.write(`ingot bases: preparing the bootable-disk layer of ${name}...\n`);
      const started = performance.now();
      const built = await prepareBootLayer({
        home: settings.home,
        basesHome: home,
        base: name,
        passIn: instancePassIn(settings),
        onEvent: (e) => {
          if (e.type === 'log') process.stderr.write(`  ${e.line}\n`);
          else if (e.type === 'component' && e.status !== 'cached') process.stderr.write(`${formatEvent(e)}\n`);
        },
      });
      process.stderr.write(
        `ingot bases: bootable-disk layer of ${name} ${built ? 'built' : 'already prepared'} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
      await blob;
    }
    return 0;
  },
};

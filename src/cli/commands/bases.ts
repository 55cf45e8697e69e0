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
with (debian-12 and debian-13 with what Debian's cloud images carry, debian-12-minimal as minbase), cached in $INGOT_BASES_HOME (default $INGOT_HOME) and reused; a build refreshes a base
older than 7 days. \`refresh\` bootstraps the named bases (default: all) now.`;

export const command: CommandModule = {
  summary: 'list or refresh the managed Debian base images',
  usage,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
    const [action, ...names] = positionals;
    const { MANAGED_BASES, ensureBaseImage, readCurrentBase } = await import('../../bases/index.ts');
    const { resolveSettings } = await import('../../config/settings.ts');
    const home = resolveSettings(process.env).basesHome;
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
    }
    return 0;
  },
};

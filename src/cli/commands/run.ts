/**
 * @module `ingot run IMAGE_ARN|OUTPUT_DIR`: boots a built disk image under qemu from a
 * copy-on-write overlay (the image is never written), injects the user's SSH key through the
 * NoCloud seed, forwards ports, and opens an SSH session, or runs a command and exits with its
 * status (like `mkosi qemu` + `mkosi ssh`, or `vagrant ssh`).
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { IngotError } from '../../errors/ingot-error.ts';
import type { CommandModule } from '../command.ts';
import { userSshKey } from '../run/keys.ts';
import { makeScratch, reapStaleScratch } from '../run/scratch.ts';
import { bootTarget } from '../run/target.ts';
import { bootAndAttach, parseForward, positiveInt } from '../run/session.ts';

const usage = `Usage: ingot run IMAGE_ARN|OUTPUT_DIR [--ssh-key FILE] [--forward HOST:GUEST]...
                 [--cpus N] [--memory MIB] [-- COMMAND...]

Boots a built disk image under qemu and opens an SSH session as root in it; with -- COMMAND,
runs COMMAND there instead (the guest's shell reads it, as with \`ssh HOST COMMAND\`) and exits
with its exit status. The image is only read: the VM writes to a copy-on-write qcow2 overlay in a
temporary directory, removed when the session ends (the VM is stopped then too), also on
SIGTERM or a hang-up; after a SIGKILL the next \`ingot run\` removes it.

OUTPUT_DIR is an \`ingot build --format ...\` output directory (its manifest.json); IMAGE_ARN is an
image build version ARN (arn:aws:imagebuilder:REGION:ACCOUNT:image/NAME/VERSION/BUILD) whose
outputs the server keeps under $INGOT_HOME. The disk booted is the first of raw, qcow2, vmdk,
vhdx, vhd the build wrote, else the boot disk inside its OVA. The extra volumes of the recipe's
blockDeviceMappings (empty disks) are attached after it as fresh empty disks of their sizes
(/dev/vdb, ...; not from an OVA-only output). A disk only UEFI boots (ingot:boot-mode: uefi: no
boot code in its MBR) boots under OVMF, any other under SeaBIOS.

Options:
  --ssh-key FILE      your public key (or a private key with its .pub beside it) to authorize,
                      given to the guest's cloud-init through a NoCloud seed; default the first of
                      ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub; with none, only a throwaway
                      key (its path is printed) can log in
  --forward HOST:GUEST  forward 127.0.0.1:HOST to the guest's TCP port GUEST (repeatable); the
                      SSH port is chosen free and printed
  --cpus N            vCPUs (default 2)
  --memory MIB        memory in MiB (default 2048)

qemu uses KVM when a probe guest runs under it about as fast as under TCG, TCG otherwise
(INGOT_QEMU_ACCEL=kvm|tcg forces one).`;

export const command: CommandModule = {
  summary: 'boot a built disk image under qemu and open an SSH session (or run a command)',
  usage,
  async run(argv) {
    const dash = argv.indexOf('--');
    const own = dash < 0 ? argv : argv.slice(0, dash);
    const commandArgv = dash < 0 ? [] : argv.slice(dash + 1);
    const { positionals, values } = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: {
        'ssh-key': { type: 'string' },
        forward: { type: 'string', multiple: true },
        cpus: { type: 'string' },
        memory: { type: 'string' },
      },
    });
    if (positionals.length !== 1)
      throw new IngotError(
        'invalid-input',
        positionals.length
          ? `give one image (got ${positionals.join(' ')}); put the command to run after --`
          : 'give an image build version ARN or an `ingot build` output directory',
      );
    if (dash >= 0 && !commandArgv.length) throw new IngotError('invalid-input', 'nothing to run after --');
    const forwards = (values.forward ?? []).map(parseForward);
    const cpus = values.cpus === undefined ? 2 : positiveInt('--cpus', values.cpus, 64);
    const memoryMiB = values.memory === undefined ? 2048 : positiveInt('--memory', values.memory, 1 << 20);
    if (memoryMiB < 256) throw new IngotError('invalid-input', `--memory must be at least 256 MiB, not ${memoryMiB}`);
    const key = await userSshKey(values['ssh-key']);
    const { settingFromEnv } = await import('../../config/settings.ts');
    // What runs killed with SIGKILL left in the temp dir (their overlays) goes first.
    await reapStaleScratch().catch(() => []);
    const scratch = await makeScratch('ingot-run-');
    try {
      const target = await bootTarget(positionals[0]!, settingFromEnv('home', process.env), scratch);
      return await bootAndAttach({
        target,
        workDir: scratch,
        key,
        forwards,
        cpus,
        memoryMiB,
        accel: settingFromEnv('qemuAccel', process.env),
        command: commandArgv.length ? commandArgv.join(' ') : undefined,
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

/**
 * @module The README's pipeline makes a disk that boots under every firmware, with real qemu: the
 * README's aws CLI commands run unchanged (the `ib` alias pointed at a server with a worker and the
 * default image formats), the image reaches AVAILABLE (its test phase boots the disk), and the qcow2
 * that GetImage's `outputResources.amis` points at (GPT with a BIOS boot partition and an ESP built
 * with mtools, Debian's signed shim and GRUB, cloud-init) boots under SeaBIOS, OVMF, and OVMF with
 * Secure Boot enforced and Microsoft's keys enrolled; each reaches SSH with the key given through a
 * NoCloud seed, and the output prints each boot's stages (firmware, kernel, initramfs, cloud-init, sshd).
 * Under OVMF, a shim upgrade in the guest reaches the ESP mounted at /boot/efi.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQemuInstance, type Firmware } from '../../src/instance/qemu/index.ts';
import { OVMF_FILES } from '../../src/instance/qemu/firmware.ts';
import { addServedModel, awsClis } from '../helpers/aws-cli.ts';
import { bootStages, watchConsole } from '../../src/instance/qemu/boot-stages.ts';
import { TEST_BASES_HOME } from '../helpers/cli.ts';
import { diskTestSkip, TEST_DISK_HOME } from '../helpers/disk-tests.ts';
import { readmeCommands, runIb } from '../helpers/readme-cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { prepareBootLayer } from '../../src/engine/disk/prepare-boot-layer.ts';

const TOOLS = [
  'mmdebstrap',
  'qemu-system-x86_64',
  'qemu-img',
  'mkfs.ext4',
  'mkfs.vfat',
  'mcopy',
  'sfdisk',
  'ssh',
  'unshare',
];
const noOvmf = Object.values(OVMF_FILES)
  .flatMap((f) => [f.code, f.vars])
  .filter((f) => !existsSync(f));
const cli = awsClis()[0];
const skip = await diskTestSkip(
  TOOLS,
  noOvmf.length > 0 && `missing OVMF files ${noOvmf.join(', ')} (the ovmf package, scripts/install-system-deps.sh)`,
  !cli && 'no aws CLI installed (the awscli package, scripts/install-system-deps.sh)',
);

/** Shared with disk.slow.ts: the bootable-disk layer stays cached between runs. */
const HOME = TEST_DISK_HOME;
const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-modes-'));
const started = performance.now();
const minutes = () => ((performance.now() - started) / 60_000).toFixed(1);
let server: TestServer | undefined;
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the README pipeline's disk boots under SeaBIOS, OVMF and OVMF with Secure Boot", { skip }, () => {
  let disk: string | undefined;
  before(
    async () => {
      // The layer cache the server links to (a fresh INGOT_TEST_DISK_HOME has none yet).
      mkdirSync(join(HOME, 'cache'), { recursive: true });
      // What `ingot bases refresh` does after a bootstrap: the build below finds the layer cached.
      await prepareBootLayer({ home: HOME, basesHome: TEST_BASES_HOME, base: 'debian-12' });
      // A fresh server (the README's ARNs name build version 1) over the shared layer cache.
      const home = join(dir, 'server');
      mkdirSync(home);
      symlinkSync(join(HOME, 'cache'), join(home, 'cache'));
      server = await startTestServer({
        worker: true,
        home,
        // The default formats (npm run test:slow sets tar for the other builds).
        env: { INGOT_IMAGE_FORMATS: '', INGOT_BASES_HOME: TEST_BASES_HOME },
      });
      const cliHome = join(dir, 'aws');
      mkdirSync(cliHome);
      addServedModel(cli!.path, cliHome);
      const commands = readmeCommands();
      assert.ok(commands.length >= 7, `the README shows the aws CLI flow (${commands.length} commands found)`);
      for (const command of commands) await runIb(cli!.path, server.server.url, cliHome, command);
      const getImage = commands.find((c) => c.startsWith('ib get-image '));
      assert.ok(getImage, 'the README ends with get-image');
      let image: {
        state?: { status?: string; reason?: string };
        outputResources?: { amis?: { region?: string; description?: string }[] };
      };
      for (;;) {
        image = (JSON.parse(await runIb(cli!.path, server.server.url, cliHome, getImage)) as { image: typeof image })
          .image;
        const status = image.state?.status ?? '';
        if (['AVAILABLE', 'FAILED', 'CANCELLED'].includes(status)) break;
        await new Promise((r) => setTimeout(r, 5000));
      }
      assert.equal(image.state?.status, 'AVAILABLE', `the image failed: ${image.state?.reason}`);
      const amis = image.outputResources?.amis ?? [];
      assert.deepEqual(amis.map((a) => a.region).sort(), ['us-east-1', 'us-west-2'], 'one AMI per region');
      // The AMI's description names the region's copy of the boot disk.
      disk = /(\/\S+\.qcow2)$/.exec(amis.find((a) => a.region === 'us-east-1')?.description ?? '')?.[1];
      assert.ok(disk && existsSync(disk), `the AMI points at its qcow2 disk: ${JSON.stringify(amis)}`);
      console.log(
        `# the README pipeline's image was AVAILABLE after ${minutes()} min (its test phase booted the disk, unless the layer cache held this exact image, tested)`,
      );
    },
    { timeout: 40 * 60_000 },
  );

  const cases: { firmware: Firmware; check: string }[] = [
    { firmware: 'bios', check: '[ ! -d /sys/firmware/efi ]' },
    { firmware: 'uefi', check: '[ -d /sys/firmware/efi ] && mokutil --sb-state | grep -q "SecureBoot disabled"' },
    { firmware: 'uefi-secure-boot', check: 'mokutil --sb-state | grep -q "SecureBoot enabled"' },
  ];
  for (const c of cases)
    test(`boots under ${c.firmware} and answers SSH with the key from the NoCloud seed`, {
      timeout: 25 * 60_000,
    }, async (t) => {
      assert.ok(disk, 'the build failed');
      const started = performance.now();
      const watch = watchConsole(dir);
      const vm = await createQemuInstance({
        disk,
        diskFormat: 'qcow2',
        workDir: dir,
        firmware: c.firmware,
        // Secure Boot's SMM emulation is slow under TCG, more so on a loaded host.
        bootTimeoutMs: 15 * 60_000,
      }).finally(() => watch.stop());
      const toSsh = performance.now() - started;
      const watched = watch.stop();
      try {
        const r = await vm.exec({ argv: ['sh', '-c', c.check] });
        const sb = await vm.exec({ argv: ['sh', '-c', 'mokutil --sb-state 2>&1 || true'] });
        assert.equal(r.exitCode, 0, `${c.check} failed in the guest: ${sb.stdout}`);
        const stages = await bootStages(vm, toSsh, watched, started);
        if (c.firmware === 'bios') {
          // Once is enough (cloud-init's later stages take a while under TCG): it finished, from the seed.
          const ci = await vm.exec({
            argv: ['sh', '-c', 'cloud-init status --wait >/dev/null; cloud-init status --long'],
          });
          assert.match(ci.stdout, /status: done/, ci.stdout);
          assert.match(ci.stdout, /DataSourceNoCloud/, ci.stdout);
          const root = await vm.exec({ argv: ['sh', '-c', 'df -B1 --output=size / | tail -1'] });
          assert.ok(Number(root.stdout.trim()) > 7 * 2 ** 30, `growpart grew / to the 8 GiB disk: ${root.stdout}`);
          // Boot order (src/disk/boot-order.ts): the NoCloud seed is a local datasource, so the network
          // stage was skipped by its condition; ifupdown and e2scrub did not run; no gpg-agent generator;
          const order = await vm.exec({
            argv: [
              'sh',
              '-c',
              'systemctl show -P Result cloud-init.service; systemctl is-active networking.service e2scrub_reap.service; readlink /etc/systemd/user-environment-generators/90gpg-agent; ' +
                'loginctl show-user root --property=Linger --value; systemctl is-enabled systemd-repart.service modprobe@drm.service || true',
            ],
          });
          // Root lingers (its user manager started at boot); units that only load modules are masked.
          assert.deepEqual(order.stdout.trim().split('\n'), [
            'exec-condition',
            'inactive',
            'inactive',
            '/dev/null',
            'yes',
            'masked',
            'masked',
          ]);
        }
        if (c.firmware === 'uefi') {
          // The ESP is mounted, and a shim upgrade (its postinst, run again) reinstalls shim and GRUB
          // into both of its folders: EFI/debian and the removable-media path the disk boots by.
          const sh = async (script: string) => {
            const x = await vm.exec({ argv: ['sh', '-c', script] });
            assert.equal(x.exitCode, 0, `${script}: ${x.stderr}`);
            return x.stdout.trim();
          };
          assert.equal(await sh('findmnt -n -o FSTYPE /boot/efi'), 'vfat');
          const reinstall = await sh(
            'for f in BOOT/BOOTX64.EFI debian/shimx64.efi; do echo stale > /boot/efi/EFI/$f; done; ' +
              'DEBIAN_FRONTEND=noninteractive dpkg-reconfigure shim-signed:amd64 2>&1',
          );
          assert.equal(
            await sh(
              'for f in BOOT/BOOTX64.EFI debian/shimx64.efi; do cmp -s /usr/lib/shim/shimx64.efi.signed /boot/efi/EFI/$f && echo "$f"; done',
            ),
            'BOOT/BOOTX64.EFI\ndebian/shimx64.efi',
            `shim's postinst: ${reinstall}`,
          );
        }
        t.diagnostic(`${c.firmware}: ${stages.line}; ${sb.stdout.trim()} (TCG on a shared, loaded host: noisy)`);
      } finally {
        await vm.close();
      }
      t.diagnostic(`whole test so far: ${minutes()} min`);
    });
});

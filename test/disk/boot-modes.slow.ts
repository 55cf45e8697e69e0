/**
 * @module One disk boots under every firmware, with real qemu: `ingot build` with the default
 * format (qcow2, GPT with a BIOS boot partition and an ESP built with mtools, Debian's signed shim
 * and GRUB, cloud-init) booted under SeaBIOS, OVMF, and OVMF with Secure Boot enforced and
 * Microsoft's keys enrolled; each reaches SSH with the key given through a NoCloud seed, and the
 * output prints each boot's stages (firmware, kernel, initramfs, cloud-init, sshd).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool } from '../../src/process/index.ts';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import { createQemuInstance, type Firmware } from '../../src/instance/qemu/index.ts';
import { OVMF_FILES } from '../../src/instance/qemu/firmware.ts';
import { bootStages, watchConsole } from '../helpers/boot-stages.ts';
import { runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';
import { layerCacheOptions, resolveSettings } from '../../src/config/settings.ts';
import { openLayerCache } from '../../src/cache/layer-cache.ts';
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
const missing = (await Promise.all(TOOLS.map(async (t) => ((await hasTool(t)) ? undefined : t)))).filter(Boolean);
const noOvmf = Object.values(OVMF_FILES)
  .flatMap((f) => [f.code, f.vars])
  .filter((f) => !existsSync(f));
const skip = missing.length
  ? `missing tools: ${missing.join(', ')} (scripts/install-system-deps.sh)`
  : noOvmf.length
    ? `missing OVMF files ${noOvmf.join(', ')} (the ovmf package, scripts/install-system-deps.sh)`
    : process.getuid?.() !== 0
      ? 'needs root (overlay mounts, sandboxed build steps)'
      : false;

/** Shared with disk.slow.ts: the bootable-disk layer stays cached between runs. */
const HOME = process.env['INGOT_TEST_DISK_HOME'] ?? '/tmp/ingot-test-disk-home';
const dir = mkdtempSync(join(tmpdir(), 'ingot-boot-modes-'));
const out = join(dir, 'out');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the default disk boots under SeaBIOS, OVMF and OVMF with Secure Boot', { skip }, () => {
  let disk: string | undefined;
  before(
    async () => {
      mkdirSync(HOME, { recursive: true });
      writeFileSync(
        join(dir, 'component.yml'),
        `name: boot-modes-file
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: WriteConfig
        action: ExecuteBash
        inputs:
          commands: ['echo ${randomUUID()} > /etc/ingot-boot-modes']
`,
      );
      writeFileSync(
        join(dir, 'recipe.yml'),
        'name: boot-modes\nversion: 1.0.0\nparentImage: debian-12\ncomponents:\n  - uri: ./component.yml\n',
      );
      // What `ingot bases refresh` does after a bootstrap: the build below finds the layer cached.
      const settings = resolveSettings({ INGOT_HOME: HOME });
      await prepareBootLayer({
        home: HOME,
        basesHome: TEST_BASES_HOME,
        cache: await openLayerCache(layerCacheOptions(settings)),
        base: 'debian-12',
      });
      const r = await runIngot(
        ['build', join(dir, 'recipe.yml'), '--output', out],
        // The default (npm run test:slow sets tar for the other builds).
        { INGOT_HOME: HOME, INGOT_IMAGE_FORMATS: '' },
        40 * 60_000,
      );
      assert.equal(r.code, 0, r.stderr.slice(-4000));
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as OutputManifest;
      assert.deepEqual(
        manifest.artifacts.map((a) => a.format),
        ['disk-qcow2'],
        'a recipe with no format asked makes a qcow2 disk',
      );
      const boot = manifest.layers.find((l) => l.component === 'ingot-bootable-disk');
      assert.equal(boot?.cached, true, 'the bootable-disk layer prepared ahead is used');
      assert.equal(manifest.tests, 'passed', 'the test phase booted the disk');
      disk = join(out, manifest.artifacts[0]!.path);
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
        const stages = await bootStages(vm, toSsh, watched);
        if (c.firmware === 'bios') {
          // Once is enough (cloud-init's later stages take a while under TCG): it finished, from the seed.
          const ci = await vm.exec({
            argv: ['sh', '-c', 'cloud-init status --wait >/dev/null; cloud-init status --long'],
          });
          assert.match(ci.stdout, /status: done/, ci.stdout);
          assert.match(ci.stdout, /DataSourceNoCloud/, ci.stdout);
          const root = await vm.exec({ argv: ['sh', '-c', 'df -B1 --output=size / | tail -1'] });
          assert.ok(Number(root.stdout.trim()) > 7 * 2 ** 30, `growpart grew / to the 8 GiB disk: ${root.stdout}`);
        }
        t.diagnostic(`${c.firmware}: ${stages.line}; ${sb.stdout.trim()} (TCG on a shared, loaded host: noisy)`);
      } finally {
        await vm.close();
      }
    });
});

/**
 * @module A Debian 13 image recipe end to end: its bootable-disk layer (cloud-init 25, whose stages
 * run in one process, cloud-init-main.service, with cloud-init-network.service for the network stage)
 * builds, and the test phase boots the qcow2 and logs in with the key given through the NoCloud seed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputManifest } from '../../src/artifacts/manifest.ts';
import { runIngot } from '../helpers/cli.ts';
import { diskTestSkip, TEST_DISK_HOME } from '../helpers/disk-tests.ts';

const TOOLS = ['qemu-system-x86_64', 'qemu-img', 'mkfs.ext4', 'ssh', 'ssh-keygen', 'unshare', 'mmdebstrap'];
const skip = await diskTestSkip(TOOLS);
const HOME = TEST_DISK_HOME;
const dir = mkdtempSync(join(tmpdir(), 'ingot-debian13-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs in the booted disk: cloud-init (one process) found the seed, and the SSH login used its key. */
const COMPONENT = `name: debian13-test
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Mark
        action: ExecuteBash
        inputs:
          commands: ['echo ${randomUUID()} > /etc/ingot-debian13-run']
  - name: test
    steps:
      - name: InTheVm
        action: ExecuteBash
        inputs:
          commands:
            - grep -qx 'VERSION_CODENAME=trixie' /etc/os-release
            - '[ "$(cat /proc/1/comm)" = systemd ]'
            - cloud-init status --wait >/dev/null
            - cloud-init status --long | grep -q DataSourceNoCloud
            - systemctl is-active cloud-init-network.service ssh.service
            # The one process of every stage ran (it exits once the final stage is done).
            - '[ "$(systemctl show -P ExecMainStartTimestampMonotonic cloud-init-main.service)" != 0 ]'
            - '[ "$(systemctl show -P Result cloud-init-main.service)" = success ]'
            - '[ ! -e /etc/systemd/system/cloud-init.service.d/90-ingot-local-datasource.conf ]'
            - test -s /root/.ssh/authorized_keys
`;

test('a debian-13 image recipe builds a qcow2 whose test phase boots it and logs in through cloud-init', {
  skip,
  timeout: 30 * 60_000,
}, async (t) => {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(dir, 'component.yml'), COMPONENT);
  writeFileSync(
    join(dir, 'recipe.yml'),
    'name: debian13-test\nversion: 1.0.0\nparentImage: debian-13\ncomponents:\n  - uri: ./component.yml\n',
  );
  const out = join(dir, 'out');
  // --format: npm run test:slow sets INGOT_IMAGE_FORMATS=tar for the other files.
  const r = await runIngot(
    ['build', join(dir, 'recipe.yml'), '--output', out, '--format', 'qcow2'],
    { INGOT_HOME: HOME },
    30 * 60_000,
  );
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as OutputManifest;
  assert.equal(manifest.tests, 'passed');
  assert.deepEqual(
    manifest.artifacts.map((a) => a.format),
    ['disk-qcow2'],
  );
  assert.match(r.stderr, /SSH answered with the key given through the NoCloud seed/);
  t.diagnostic(`stages (ms): ${JSON.stringify(manifest.stages)}`);
});

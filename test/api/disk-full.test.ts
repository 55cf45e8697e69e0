/**
 * @module A full INGOT_HOME (a real small tmpfs): API writes answer 503 ServiceUnavailableException
 * saying the data directory is full, never a generic 500, and succeed again once space is freed; a
 * build that runs out of space fails naming its stage; a build below the free-space floor
 * (INGOT_MIN_FREE_GIB) does not start; a build past its disk quota fails naming the stage and the
 * directory, and leaves no work directory, mount or cgroup behind.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findChildCgroups } from '../../src/cgroups/index.ts';
import { startTestServer } from '../helpers/server.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';
import { ct, startPipelineServer, waitForImage } from '../pipelines/helpers.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (mounts a small tmpfs as INGOT_HOME)' : false;

test('API writes to a full INGOT_HOME answer 503 with a message', { skip }, async () => {
  const mount = mkdtempSync(join(tmpdir(), 'ingot-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
  try {
    const home = join(mount, 'home');
    const t = await startTestServer({ home });
    try {
      const c = t.client();
      const create = (name: string) =>
        c.send(
          new ib.CreateComponentCommand({
            name,
            semanticVersion: '1.0.0',
            platform: 'Linux',
            data: `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["${'x'.repeat(4000)}"]\n`,
            clientToken: `${name}-${process.pid}`,
          }),
        );
      await create('before');
      // Fill the file system: one big file, then small ones until not even 4 KiB fit.
      const filler = join(mount, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(16 * 1024 * 1024));
      } catch {}
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(mount, `f${i}`), Buffer.alloc(4096));
        } catch {
          break;
        }
      }
      let failure: (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
      for (let i = 0; i < 20 && !failure; i++)
        failure = await create(`full-${i}`).then(
          () => undefined,
          (e: Error) => e,
        );
      assert.ok(failure, 'a write to the full disk fails');
      assert.equal(failure.name, 'ServiceUnavailableException', failure.message);
      assert.equal(failure.$metadata?.httpStatusCode, 503);
      assert.match(failure.message, /data directory \(INGOT_HOME\) is full/);
      // Reads still work; after freeing space, writes do too.
      await c.send(new ib.ListComponentsCommand({}));
      unlinkSync(filler);
      await create('after');
    } finally {
      await t.server.close();
    }
  } finally {
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});

async function buildOnce(
  c: ib.ImagebuilderClient,
  name: string,
  parentImage: string,
  command: string,
  resourceTags?: Record<string, string>,
): Promise<ib.Image> {
  const component = (
    await c.send(
      new ib.CreateComponentCommand({
        name,
        semanticVersion: '1.0.0',
        platform: 'Linux',
        data: `name: ${name}\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: [${JSON.stringify(command)}]\n`,
        clientToken: ct(),
      }),
    )
  ).componentBuildVersionArn!;
  const recipe = (
    await c.send(
      new ib.CreateImageRecipeCommand({
        name,
        semanticVersion: '1.0.0',
        parentImage,
        components: [{ componentArn: component }],
        clientToken: ct(),
      }),
    )
  ).imageRecipeArn!;
  const infra = (
    await c.send(
      new ib.CreateInfrastructureConfigurationCommand({
        name,
        instanceProfileName: 'ingot',
        ...(resourceTags ? { resourceTags } : {}),
        clientToken: ct(),
      }),
    )
  ).infrastructureConfigurationArn!;
  const arn = (
    await c.send(
      new ib.CreateImageCommand({ imageRecipeArn: recipe, infrastructureConfigurationArn: infra, clientToken: ct() }),
    )
  ).imageBuildVersionArn!;
  return waitForImage(c, arn);
}

test('a build below the free-space floor does not start; one that fills the disk fails naming its stage', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-space-'));
  tinyRootfs(join(dir, 'root'), { dpkg: true });
  const parent = join(dir, 'tiny.tar.zst');
  tarRootfs(join(dir, 'root'), parent);
  const mount = join(dir, 'mnt');
  execFileSync('mkdir', ['-p', mount]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
  process.env['INGOT_MIN_FREE_GIB'] = '100000';
  // Settings are read once at start-up: each part runs its own server on the same data directory.
  let t = await startPipelineServer({ worker: true, home: join(mount, 'home') });
  try {
    const floor = await buildOnce(t.client, 'floor', parent, 'true');
    assert.equal(floor.state?.status, 'FAILED');
    assert.match(
      floor.state?.reason ?? '',
      /not enough free space to start a build: .* GiB free in .*, the floor is 100000\.00 GiB \(INGOT_MIN_FREE_GIB\)/,
    );

    process.env['INGOT_MIN_FREE_GIB'] = '0';
    await t.server.close();
    t = await startPipelineServer({ worker: true, home: join(mount, 'home') });
    const full = await buildOnce(t.client, 'fill', parent, 'cat /bin/bash /bin/ls > /copy.bin');
    assert.equal(full.state?.status, 'FAILED');
    assert.match(
      full.state?.reason ?? '',
      /^(parent|build|validate|outputs|evidence|test) failed: no space left on the device/,
    );
  } finally {
    delete process.env['INGOT_MIN_FREE_GIB'];
    await t.server.close();
    execFileSync('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a build past its disk quota (ingot:disk-quota-gib) fails naming the stage and directory, leaving nothing behind', {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-quota-'));
  tinyRootfs(join(dir, 'root'), { dpkg: true });
  const parent = join(dir, 'tiny.tar.zst');
  tarRootfs(join(dir, 'root'), parent);
  const t = await startPipelineServer({ worker: true, home: join(dir, 'home'), env: { INGOT_MIN_FREE_GIB: '0' } });
  try {
    const started = Date.now();
    // About 80 MiB against a 16 MiB quota, then a step that would run for minutes: the quota ends it.
    const image = await buildOnce(
      t.client,
      'quota',
      parent,
      'for i in {1..60}; do cat /bin/bash >> /big.bin; done && sleep 300',
      { 'ingot:disk-quota-gib': String(16 / 1024) },
    );
    assert.equal(image.state?.status, 'FAILED');
    assert.match(
      image.state?.reason ?? '',
      /^build failed: the build's disk use \(0\.\d\d GiB, most of it in .*\/work\/build-[^/]+\/layer-[^ ]*\) passed its quota of 0\.02 GiB/,
    );
    assert.ok(Date.now() - started < 120_000, 'the quota stopped the step long before its sleep ended');
    const work = join(t.home, 'work');
    assert.deepEqual(
      existsSync(work) ? readdirSync(work).filter((d) => d.startsWith('build-')) : [],
      [],
      'no work directory left',
    );
    assert.equal(readFileSync('/proc/mounts', 'utf8').includes(t.home), false, 'no mount left under INGOT_HOME');
    const cgroups = await findChildCgroups(new RegExp(`^ingot-(sbx|read)-[0-9a-f]+-p${process.pid}$`));
    assert.deepEqual([...cgroups.keys()], [], 'no build cgroup left');
  } finally {
    await t.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

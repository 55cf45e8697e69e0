/**
 * @module Which instances of a build are throwaway: the build instance's writes become the layer
 * (fsynced by the engine, durable.ts), the test instance's are thrown away. Both overlays are
 * volatile: no unmount syncs the host's file system. Seen through the instance factory the engine is given.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBuild } from '../../src/engine/build.ts';
import { sandboxFactory, type InstanceRequest } from '../../src/engine/instance-factory.ts';
import { loadRecipeFile } from '../../src/recipe-file/load.ts';
import { tarRootfs, tinyRootfs } from '../helpers/tiny-rootfs.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs)' : false;

test('the build instance keeps its writes, the test instance is throwaway', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-throwaway-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  tinyRootfs(join(dir, 'root'), { dpkg: false });
  tarRootfs(join(dir, 'root'), join(dir, 'tiny.tar.zst'));
  const phase = (name: string, command: string) =>
    `  - name: ${name}\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${JSON.stringify(command)}\n`;
  writeFileSync(
    join(dir, 'c.yml'),
    `name: c\nschemaVersion: 1.0\nphases:\n${phase('build', 'echo made > /etc/made.txt')}${phase('test', 'read -r v < /etc/made.txt && test "$v" = made && echo scratch > /etc/scratch.txt')}`,
  );
  writeFileSync(
    join(dir, 'recipe.yml'),
    `name: throwaway\nversion: 1.0.0\nparentImage: ${join(dir, 'tiny.tar.zst')}\n` +
      `dockerfileTemplateData: "FROM {{{ imagebuilder:parentImage }}}\\n{{{ imagebuilder:components }}}\\n"\n` +
      'components:\n  - uri: c.yml\n',
  );
  const home = join(dir, 'home');
  const requests: InstanceRequest[] = [];
  const factory = sandboxFactory({ ingotHome: home });
  await runBuild(await loadRecipeFile(join(dir, 'recipe.yml'), { runTests: true }), {
    home,
    outputDir: join(dir, 'out'),
    newInstance: (req) => {
      requests.push(req);
      return factory(req);
    },
    onEvent: () => {},
  });
  assert.equal(requests.length, 2, 'one build instance, one test instance');
  assert.equal(requests[0]!.throwaway, undefined, 'the build instance: its upper dir is the layer');
  assert.equal(requests[0]!.syncedByCaller, true, 'the build instance: the engine fsyncs its layer (durable.ts)');
  assert.equal(requests[1]!.throwaway, true, 'the test instance: thrown away');
});

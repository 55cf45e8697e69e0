/**
 * @module The Linux documents of the shared corpus sample that need only what a Debian base has
 * run green through `ingot toe run --root` in a copy of the managed Debian 12 base. (The corpus's
 * other Linux documents install with yum, call sudo, or reference files and S3 buckets that are
 * not part of the sample.) Skips when ../shared or the tools are absent.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureBaseImage } from '../../src/bases/index.ts';
import { runIngot, TEST_BASES_HOME } from '../helpers/cli.ts';

const CORPUS = new URL('../../../shared/corpus-sample/components', import.meta.url).pathname;
const DEBIAN_READY = [
  'aws-samples__amazon-ec2-image-builder-samples/CDK__Linux__hello-world__example-component__hello-world-component.yml',
  'aws__aws-parallelcluster/cli__src__pcluster__resources__imagebuilder__parallelcluster_tag.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__create-component-yaml.md__L22-L45.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__create-component-yaml.md__L58-L81.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__manage-component-parameters.md__L24-L58.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__security-patch-management.md__L12-L17.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__toe-action-modules.md__L49-L68.yml',
  'awsdocs__ec2-image-builder-user-guide/doc_source__toe-get-started.md__L119-L143.yml',
];

const skip = !existsSync(CORPUS)
  ? `the shared corpus sample is absent (${CORPUS})`
  : process.getuid?.() !== 0
    ? 'needs root (namespaces)'
    : false;

test('Debian-ready corpus documents run green in a Debian 12 root through toe run --root', { skip }, async () => {
  const base = await ensureBaseImage('debian-12', { ingotHome: TEST_BASES_HOME });
  const dir = mkdtempSync(join(tmpdir(), 'ingot-corpus-run-'));
  const root = join(dir, 'root');
  try {
    execFileSync('cp', ['-a', base.rootfsDir, root]);
    const failures: string[] = [];
    for (const doc of DEBIAN_READY) {
      const r = await runIngot(
        [
          'toe',
          'run',
          '--documents',
          join(CORPUS, doc),
          '--root',
          root,
          '--output',
          join(dir, 'out', doc.replace(/\//g, '_')),
        ],
        { INGOT_HOME: join(dir, 'home') },
      );
      if (r.code !== 0) failures.push(`${doc}: exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

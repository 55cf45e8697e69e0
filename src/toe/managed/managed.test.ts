/** @module Every managed component validates, aliases resolve, and the self-contained ones really run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecParams, ExecResult, Instance } from '../../instance/types.ts';
import { HostInstance } from '../../instance/host/host-instance.ts';
import { parseComponentDocument } from '../document/index.ts';
import { runComponentDocuments } from '../executor/index.ts';
import { findManagedComponent, MANAGED_COMPONENTS, resolveManagedAlias } from './index.ts';

test('every managed component document passes the validator', () => {
  assert.equal(MANAGED_COMPONENTS.length, 11);
  for (const c of MANAGED_COMPONENTS) {
    const result = parseComponentDocument(c.data, { fileName: c.name });
    assert.ok(result.ok, `${c.name}: ${result.ok ? '' : JSON.stringify(result.errors)}`);
    assert.equal(result.document.name, c.name);
    assert.match(c.semanticVersion, /^\d+\.\d+\.\d+$/);
  }
});

test('informal names and ARNs from the seed recipe resolve to managed components', () => {
  assert.equal(
    resolveManagedAlias('arn:aws:imagebuilder:us-east-1:aws:component/aws-cli-version-x'),
    'aws-cli-version-2-linux',
  );
  assert.equal(
    resolveManagedAlias('arn:aws:imagebuilder:us-east-1:aws:component/amazon-linux-2-security-updates'),
    'update-linux',
  );
  assert.equal(resolveManagedAlias('update-linux'), 'update-linux');
  assert.equal(
    resolveManagedAlias('arn:aws:imagebuilder:us-east-1:aws:component/python-3-linux/1.0.0/1'),
    'python-3-linux',
  );
  assert.equal(resolveManagedAlias('no-such-thing'), undefined);
  assert.equal(findManagedComponent('aws-cli-version-x')?.name, 'aws-cli-version-2-linux');
});

class RebootCounting implements Instance {
  readonly kind = 'host' as const;
  readonly id = 'reboot-counting';
  readonly host = new HostInstance();
  reboots = 0;
  exec(p: ExecParams): Promise<ExecResult> {
    return this.host.exec(p);
  }
  copyIn(a: string, b: string) {
    return this.host.copyIn(a, b);
  }
  copyOut(a: string, b: string) {
    return this.host.copyOut(a, b);
  }
  async reboot() {
    this.reboots++;
  }
  async close() {}
}

test('hello-world-linux and reboot-test-linux run end to end', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('reboot-test-linux writes its marker under /var/lib (needs root)');
  for (const name of ['hello-world-linux', 'reboot-test-linux']) {
    const parsed = parseComponentDocument(findManagedComponent(name)!.data);
    assert.ok(parsed.ok);
    const instance = new RebootCounting();
    const out = await runComponentDocuments({ instance, documents: [{ filePath: name, document: parsed.document }] });
    assert.equal(out.status, 'success', out.failureMessage);
    assert.equal(instance.reboots, name === 'reboot-test-linux' ? 1 : 0);
  }
});

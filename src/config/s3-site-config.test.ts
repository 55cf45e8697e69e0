/** @module The `sites.REGION.s3` block of config.json: checked when it is read, `pathStyle` and `timeoutSeconds` included. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadIngotConfig } from './ingot-config.ts';

test('an S3 site takes an optional boolean pathStyle and a timeout in whole seconds; a bad value names the key', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'ingot-s3-config-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const s3 = { endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKeyId: 'k', secretAccessKey: 's' };
  const write = (extra: object) =>
    writeFileSync(join(home, 'config.json'), JSON.stringify({ sites: { 'eu-west-1': { s3: { ...s3, ...extra } } } }));
  write({ pathStyle: false });
  assert.equal(loadIngotConfig(join(home, 'config.json')).sites?.['eu-west-1']?.s3?.pathStyle, false);
  write({ pathStyle: 'yes' });
  assert.throws(
    () => loadIngotConfig(join(home, 'config.json')),
    /'sites\.eu-west-1\.s3\.pathStyle' must be true or false/,
  );
  write({ endpoint: 'ftp://x' });
  assert.throws(
    () => loadIngotConfig(join(home, 'config.json')),
    /'sites\.eu-west-1\.s3\.endpoint' must be an http\(s\) URL/,
  );
  write({ timeoutSeconds: 5 });
  assert.equal(loadIngotConfig(join(home, 'config.json')).sites?.['eu-west-1']?.s3?.timeoutSeconds, 5);
  for (const bad of [0, 1.5, '30'] as const) {
    write({ timeoutSeconds: bad });
    assert.throws(
      () => loadIngotConfig(join(home, 'config.json')),
      /'sites\.eu-west-1\.s3\.timeoutSeconds' must be a whole number of seconds from 1 to 3600/,
    );
  }
});

/**
 * @module Every operation of the Image Builder model, called with the real aws CLI (v1 and v2,
 * whichever are installed) against a real server, through the same walk as the SDK's
 * (test/helpers/operation-walk.ts): `aws imagebuilder OPERATION --cli-input-json ...`, each printed
 * answer checked against the operation's output shape. Slow: one CLI process per operation.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awsClis, awsEnv } from '../helpers/aws-cli.ts';
import { outputChecker } from '../helpers/model-schema.ts';
import { BY_DESIGN, type Caller, CLIENT_LACKS_OPERATION, EXPECTED_MISSING, walk } from '../helpers/operation-walk.ts';
import { startTestServer } from '../helpers/server.ts';

/** botocore's CLI name of an operation: ListImageScanFindings → list-image-scan-findings. */
const cliName = (op: string) => op.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const clis = awsClis();
for (const major of (process.env['WALK_CLI'] ?? '1,2').split(',')) {
  const cli = clis.find((c) => c.major === major);
  test(`aws CLI v${major} gets a shape-valid answer from every implemented operation`, async (tc) => {
    if (!cli)
      return tc.skip(`no aws CLI v${major} on this machine (v1: pip install awscli; v2: apt-get install awscli)`);
    const t = await startTestServer();
    const home = mkdtempSync(join(tmpdir(), 'ingot-walk-cli-'));
    const env = awsEnv(home);
    const check = outputChecker('cli');
    const call: Caller = (op, input) =>
      new Promise((resolve) => {
        const args = ['imagebuilder', cliName(op), '--cli-input-json', JSON.stringify(input), '--no-paginate'];
        args.push('--endpoint-url', t.server.url, '--output', 'json');
        execFile(cli.path, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
          if (!err) {
            const output = JSON.parse(stdout || '{}') as Record<string, unknown>;
            return resolve({ ok: true, output, problems: check(op, output) });
          }
          const type = /argument operation: Invalid choice/.test(stderr)
            ? CLIENT_LACKS_OPERATION
            : (/An error occurred \((\w+)\)/.exec(stderr)?.[1] ?? `exit ${String(err.code)}`);
          resolve({ ok: false, type, message: stderr.trim().slice(0, 600) });
        });
      });
    try {
      const result = await walk(t, call, `cli${major}`);
      assert.deepEqual(result.failures, []);
      // v1 follows botocore's current model; Debian's v2 (2.9) predates the 2023+ operations, which it cannot send.
      if (major === '1') assert.deepEqual(result.clientLacks, []);
      else if (result.clientLacks.length)
        tc.diagnostic(`operations this aws CLI lacks: ${result.clientLacks.join(' ')}`);
      const expected = EXPECTED_MISSING.filter((op) => !result.clientLacks.includes(op));
      assert.deepEqual(result.missing.sort(), expected.sort(), 'EXPECTED_MISSING is out of date');
      const refused = Object.keys(BY_DESIGN).filter((op) => !result.clientLacks.includes(op));
      assert.deepEqual(result.refused.sort(), refused.sort());
    } finally {
      await t.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });
}

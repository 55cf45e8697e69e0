/** @module Test support: the real `aws` CLIs on this machine (Debian's v2, a v1 on PATH) and a clean environment for them. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_KEY } from './server.ts';

/** Every distinct `aws` on this machine, one per major version (the first found on PATH wins). */
export function awsClis(): { path: string; major: string }[] {
  const paths = new Set<string>(['/usr/bin/aws']);
  try {
    for (const p of execFileSync('which', ['-a', 'aws'], { encoding: 'utf8' }).split('\n')) if (p) paths.add(p);
  } catch {
    /* none on PATH */
  }
  const byMajor = new Map<string, string>();
  for (const path of paths) {
    try {
      const v = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const major = /aws-cli\/(\d+)/.exec(v)?.[1];
      if (major && !byMajor.has(major)) byMajor.set(major, path);
    } catch {
      /* not runnable */
    }
  }
  return [...byMajor].map(([major, path]) => ({ major, path }));
}

/** The environment for the CLI: the test key, us-east-1, no config files or pager of this machine. */
export function awsEnv(home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_PAGER: '',
  };
}

/** The service model Ingot serves (the file the API is generated from). */
export const SERVED_MODEL = join(import.meta.dirname, '../../src/model/data/imagebuilder-2019-12-02.service-2.json');

/**
 * Gives the CLI at `cli` (for HOME `home`) the service model Ingot serves, with `aws configure
 * add-model`, as users of an older CLI do: Debian's aws CLI (2.9) predates some operations and fields.
 */
export function addServedModel(cli: string, home: string): void {
  execFileSync(
    cli,
    ['configure', 'add-model', '--service-name', 'imagebuilder', '--service-model', `file://${SERVED_MODEL}`],
    {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
      stdio: 'ignore',
    },
  );
}

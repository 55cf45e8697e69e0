/**
 * @module The web console as a person uses it: real headless Chromium (playwright-core) against a
 * real `ingot server` with its worker: sign in, create a component from the YAML editor (a broken
 * one first: the API's error at its line), a recipe and a pipeline, run it, watch the live log to
 * AVAILABLE, download the SBOM, cancel a second build; axe-core on every page, screenshots of each.
 */
import * as ib from '@aws-sdk/client-imagebuilder';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, browserUnavailable, launchBrowser, screenshot } from '../helpers/browser.ts';
import { TEST_BASES_HOME } from '../helpers/cli.ts';
import { startTestServer, TEST_KEY, type TestServer } from '../helpers/server.ts';

const skip =
  process.getuid?.() !== 0 ? 'needs root (namespaces, overlayfs for the builds)' : (browserUnavailable() ?? false);
const OUT = mkdtempSync(join(tmpdir(), 'ingot-console-test-'));
let t: TestServer;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  process.env['INGOT_BASES_HOME'] = TEST_BASES_HOME;
  console.log(`console test: screenshots in ${OUT}`);
  t = await startTestServer({ worker: true });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});
after(async () => {
  await browser?.close();
  await t?.stop();
});

/** Screenshot + axe: no serious or critical violations on the page. */
async function check(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await screenshot(page, OUT, name);
  const bad = await axeViolations(page);
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad, null, 1)}`);
}

const heading = (name: string | RegExp) => page.getByRole('heading', { name, exact: typeof name === 'string' });

async function go(hash: string, title: string | RegExp): Promise<void> {
  await page.goto(`${t.server.url}/console/${hash}`);
  await heading(title).first().waitFor();
}

async function pick(controlId: string, option: RegExp): Promise<void> {
  await page.locator(`#${controlId}`).click();
  await page.getByRole('option', { name: option }).first().click();
}

const TINY = `name: console-hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo built-in-the-console > /console.txt
`;

test('the console drives a build from sign-in to its SBOM', { skip, timeout: 420_000 }, async () => {
  // Sign in: a wrong secret shows the API's error; the right one opens the dashboard.
  await page.goto(`${t.server.url}/console`);
  await page.getByLabel('Access key ID').fill(TEST_KEY.accessKeyId);
  await page.getByLabel('Secret access key').fill('not-the-secret');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await assertError(/InvalidSignatureException.*signature we calculated does not match/);
  await check('01-sign-in-error');
  await page.getByLabel('Secret access key').fill(TEST_KEY.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading('Dashboard').waitFor();
  await check('02-dashboard');

  // A component from the YAML editor: a broken document is refused with its line.
  await go('#/components/create', 'Create component');
  await page.getByLabel('Name').fill('console-hello');
  await page.getByLabel('Document (AWSTOE YAML)').fill(TINY.replace('action: ExecuteBash', 'action: Frobnicate'));
  await page.getByRole('button', { name: 'Create component' }).click();
  await assertError(/line 7, column \d+:.*unknown action/);
  await page.getByText('Line 7:').waitFor();
  await check('03-component-error');
  await page.getByLabel('Document (AWSTOE YAML)').fill(TINY);
  await page.getByRole('button', { name: 'Create component' }).click();
  await page.getByTestId('component-document').waitFor();
  assert.match((await page.getByTestId('component-document').textContent()) ?? '', /built-in-the-console/);
  await check('04-component');
  await go('#/components', 'Components');
  await page.getByRole('link', { name: 'console-hello' }).waitFor();
  await check('05-components');

  // A container recipe with it, then a pipeline (with a default infrastructure configuration).
  await go('#/recipes/create', 'Create recipe');
  await page.getByRole('button', { name: 'Create recipe' }).click(); // no name, no component: the API says what
  await assertError(/Exception \(HTTP 400\): .*name/i);
  await check('06-recipe-error');
  await page.getByLabel('Name').fill('console-app');
  await pick('recipe-components', /console-hello/);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Create recipe' }).click();
  await heading('console-app/1.0.0').waitFor();
  await check('06-recipe');
  await go('#/recipes', 'Recipes');
  await check('07-recipes');
  await go('#/pipelines/create', 'Create image pipeline');
  await page.getByRole('button', { name: 'Create pipeline' }).click(); // nothing filled in
  await assertError(/Exception \(HTTP 400\): /);
  await page.getByLabel('Name').fill('console-pipeline');
  await pick('pipeline-recipe', /console-app\/1\.0\.0/);
  await page.getByRole('button', { name: 'Create pipeline' }).click();
  await heading('console-pipeline').waitFor();

  // Run it and follow the build: the live log until AVAILABLE.
  await page.getByRole('button', { name: 'Run pipeline' }).click();
  await page.getByRole('link', { name: 'console-app/1.0.0/1' }).first().click();
  await heading('console-app/1.0.0/1').waitFor();
  await page.getByTestId('build-log').waitFor({ timeout: 60_000 });
  await check('08-build-running');
  const log = page.getByTestId('build-log');
  await page.waitForFunction(
    () => /is AVAILABLE/.test(document.querySelector('[data-testid="build-log"]')?.textContent ?? ''),
    undefined,
    { timeout: 300_000, polling: 1000 },
  );
  assert.match((await log.textContent()) ?? '', /==> build/);
  await page.getByText('AVAILABLE', { exact: true }).first().waitFor({ timeout: 10_000 });
  await page.getByText('us-east-1').first().waitFor();
  // Stages and components with their durations, read from the log.
  const stages = page.locator('table', { has: page.getByText('Stage / component') });
  await stages.getByText('console-hello (build)').waitFor();
  assert.match((await stages.textContent()) ?? '', /evidence.*\d+\.\d\d s/);
  await check('09-build-available');

  // The SBOM's packages download.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download SBOM' }).click(),
  ]);
  const sbom = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { packages: { packageName: string }[] };
  assert.ok(
    sbom.packages.some((p) => p.packageName === 'bash'),
    'the SBOM lists bash',
  );

  // The images pages: versions → builds.
  await go('#/images', 'Images');
  await page.getByRole('link', { name: 'console-app' }).click();
  await page.getByRole('link', { name: 'console-app/1.0.0/1' }).waitFor();
  await check('10-image-builds');
  // How long the images page takes to show its first API page in a fresh tab (printed; the
  // 10,000-image goal is measured by bench/console-images.ts).
  const fresh = await browser.newContext();
  await fresh.addInitScript(
    (s) => sessionStorage.setItem('ingot-console-session', s),
    JSON.stringify({ ...TEST_KEY, region: 'us-east-1' }),
  );
  const tab = await fresh.newPage();
  const started = performance.now();
  await tab.goto(`${t.server.url}/console/#/images`);
  await tab.getByRole('link', { name: 'console-app' }).waitFor();
  console.log(
    `console test: images page interactive in ${(performance.now() - started).toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})`,
  );
  await fresh.close();
  await go('#/images', 'Images');
  await check('11-images');
  await go('#/pipelines', 'Image pipelines');
  await check('12-pipelines');
});

test('the console cancels a running build', { skip, timeout: 180_000 }, async () => {
  // A slow build (set up through the SDK: the console's forms are covered above), run from the console.
  const c = t.client();
  const comp = await c.send(
    new ib.CreateComponentCommand({
      name: 'console-slow',
      semanticVersion: '1.0.0',
      platform: 'Linux',
      data: TINY.replace('console-hello', 'console-slow').replace(
        'echo built-in-the-console > /console.txt',
        'sleep 600',
      ),
    }),
  );
  const recipe = await c.send(
    new ib.CreateContainerRecipeCommand({
      name: 'console-slow',
      semanticVersion: '1.0.0',
      containerType: 'DOCKER',
      parentImage: 'arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x',
      components: [{ componentArn: comp.componentBuildVersionArn! }],
      dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n',
      targetRepository: { service: 'ECR', repositoryName: 'console-slow' },
    }),
  );
  const infra = await c.send(
    new ib.CreateInfrastructureConfigurationCommand({ name: 'console-slow', instanceProfileName: 'ingot' }),
  );
  const pipeline = await c.send(
    new ib.CreateImagePipelineCommand({
      name: 'console-slow',
      containerRecipeArn: recipe.containerRecipeArn!,
      infrastructureConfigurationArn: infra.infrastructureConfigurationArn!,
      schedule: { scheduleExpression: 'cron(0 3 * * ? *)' },
    }),
  );
  await t.server.operations.scheduler?.tick(); // the scheduler sets the pipeline's next run
  // A newer version of its component: the pipeline page says so.
  await c.send(
    new ib.CreateComponentCommand({
      name: 'console-slow',
      semanticVersion: '1.1.0',
      platform: 'Linux',
      data: TINY.replace('console-hello', 'console-slow'),
    }),
  );
  await go(`#/pipelines/${encodeURIComponent(pipeline.imagePipelineArn!)}`, 'console-slow');
  await page.getByTestId('drift').waitFor();
  assert.match(
    (await page.getByTestId('drift').textContent()) ?? '',
    /component console-slow 1\.1\.0 \(the recipe uses 1\.0\.0\)/,
  );
  await check('13-pipeline');
  await page.getByRole('button', { name: 'Run pipeline' }).click();
  await page.getByRole('link', { name: 'console-slow/1.0.0/1' }).first().click();
  await heading('console-slow/1.0.0/1').waitFor();
  await page.getByRole('button', { name: 'Cancel build' }).click();
  await page.getByText('CANCELLED', { exact: true }).first().waitFor({ timeout: 120_000 });
  await check('14-build-cancelled');
  // Retry puts it back in the queue (the same build, PENDING again); cancel it once more.
  await page.getByRole('button', { name: 'Retry' }).click();
  await page.getByText('Retry: done').waitFor();
  await page.getByRole('button', { name: 'Cancel build', disabled: false }).click({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Retry', disabled: false }).waitFor({ timeout: 120_000 });
  await page.getByText('CANCELLED', { exact: true }).first().waitFor();
  await go('#/dashboard', 'Dashboard');
  await page.getByRole('link', { name: 'console-slow/1.0.0/1' }).first().waitFor();
  await page.getByRole('link', { name: 'console-slow', exact: true }).waitFor(); // its next scheduled run
  await check('15-dashboard');

  // Disable and enable the pipeline.
  await go(`#/pipelines/${encodeURIComponent(pipeline.imagePipelineArn!)}`, 'console-slow');
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('button', { name: 'Enable' }).waitFor();
  await page.getByText('DISABLED', { exact: true }).first().waitFor();
  const got = await c.send(new ib.GetImagePipelineCommand({ imagePipelineArn: pipeline.imagePipelineArn! }));
  assert.equal(got.imagePipeline?.status, 'DISABLED');
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.getByRole('button', { name: 'Disable' }).waitFor();
});

test('the configurations and lifecycle pages show what the API has', { skip, timeout: 60_000 }, async () => {
  const c = t.client();
  const policy = await c.send(
    new ib.CreateLifecyclePolicyCommand({
      name: 'console-keep-five',
      executionRole: 'ingot',
      resourceType: 'CONTAINER_IMAGE',
      policyDetails: [{ action: { type: 'DELETE' }, filter: { type: 'COUNT', value: 5 } }],
      resourceSelection: { recipes: [{ name: 'console-app', semanticVersion: '1.0.0' }] },
    }),
  );
  await go('#/configurations', 'Configurations');
  await page.getByRole('link', { name: 'console-slow' }).click();
  await heading('console-slow').waitFor();
  await page.getByText('"instanceProfileName": "ingot"').waitFor();
  await check('16-configuration');
  await go('#/lifecycle', 'Lifecycle policies');
  await page.getByRole('link', { name: 'console-keep-five' }).click();
  await heading('console-keep-five').waitFor();
  assert.ok(policy.lifecyclePolicyArn);
  await page.getByText('No executions yet').waitFor();
  await check('17-lifecycle-policy');
});

async function assertError(expected: RegExp): Promise<void> {
  const error = page.getByTestId('api-error').first();
  await error.waitFor();
  assert.match((await error.textContent()) ?? '', expected);
}

/** @module The console's static serving: files with their types and CSP, no way out of the folder, a clear 503 unbuilt. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isConsoleRequest, serveConsole } from './console-static.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingot-console-static-'));
const dist = join(dir, 'dist');
mkdirSync(dist);
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(join(dist, 'main-ABCDEFGH.js'), 'console.log(1)');
writeFileSync(join(dir, 'secret.txt'), 'outside');
symlinkSync(join(dir, 'secret.txt'), join(dist, 'link.txt'));
after(() => rmSync(dir, { recursive: true, force: true }));

const get = (path: string, method = 'GET', from = dist) =>
  serveConsole(new Request(`http://127.0.0.1${path}`, { method }), from);

test('only GET/HEAD under /console are console requests', () => {
  assert.equal(isConsoleRequest('GET', '/console'), true);
  assert.equal(isConsoleRequest('HEAD', '/console/main.js'), true);
  assert.equal(isConsoleRequest('POST', '/console/'), false);
  assert.equal(isConsoleRequest('GET', '/consoles'), false);
  assert.equal(isConsoleRequest('GET', '/ListImages'), false);
});

test('serves index.html for the console and its routes, hashed files as immutable', async () => {
  const redirect = await get('/console');
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.get('location'), '/console/');
  for (const path of ['/console/', '/console/images']) {
    const r = await get(path);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await r.text(), /<title>x/);
  }
  const js = await get('/console/main-ABCDEFGH.js');
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const head = await get('/console/main-ABCDEFGH.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('nothing outside the built folder is served', async () => {
  for (const path of [
    '/console/../secret.txt',
    '/console/%2e%2e/secret.txt',
    '/console/link.txt',
    '/console/nope.js',
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(await r.text(), /outside/);
  }
  assert.equal((await get('/console/%E0%A4%A.js')).status, 400);
});

test('an unbuilt console answers 503 with what to run', async () => {
  const r = await get('/console/', 'GET', join(dir, 'missing'));
  assert.equal(r.status, 503);
  assert.match(await r.text(), /npm run build:console/);
});

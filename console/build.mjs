/**
 * @module Builds the console (console/src) into console/dist with esbuild: one minified JS and CSS
 * bundle with content-hashed names, the fonts beside them, and index.html naming them; prints the
 * gzipped size of the JavaScript (the budget is 1.5 MB). Plain JS so any Node runs it (npm postinstall).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const BUDGET = 1.5 * 1024 * 1024;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('console: esbuild is not installed (npm ci installs it); the console is not built');
  process.exit(process.env.CI ? 1 : 0);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const started = Date.now();
const result = await esbuild.build({
  entryPoints: [join(here, 'src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  outdir: out,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const files = readdirSync(out);
const js = files.find((f) => /^main-.*\.js$/.test(f));
const css = files.find((f) => /^main-.*\.css$/.test(f));
if (!js || !css) throw new Error(`console: esbuild wrote no main bundle (${files.join(', ')})`);
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ingot console</title>
<link rel="stylesheet" href="./${css}">
</head>
<body>
<div id="root"></div>
<script type="module" src="./${js}"></script>
</body>
</html>
`,
);
const jsGzip = files
  .filter((f) => f.endsWith('.js'))
  .reduce((n, f) => n + gzipSync(readFileSync(join(out, f)), { level: 9 }).length, 0);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `console: built ${Object.keys(result.metafile.outputs).length} files into console/dist in ${Date.now() - started} ms; ` +
    `JavaScript ${kib(jsGzip)} gzipped (budget ${kib(BUDGET)})`,
);
if (jsGzip > BUDGET) {
  console.error('console: the JavaScript is over its 1.5 MB gzipped budget');
  process.exit(1);
}

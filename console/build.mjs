/**
 * @module Builds the console (console/src) into console/dist with esbuild: one minified JS and CSS
 * bundle with content-hashed names, the fonts beside them, and index.html naming them; prints the
 * gzipped size of the JavaScript (the budget is 1.5 MB). Plain JS so any Node runs it (npm postinstall).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  splitting: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// esbuild leaves the CSS of lazily loaded chunks in files nothing loads: join all CSS into one sheet.
const outputs = result.metafile.outputs;
const rel = (p) => p.slice(p.lastIndexOf('/') + 1);
const mainOut = Object.keys(outputs).find((p) => outputs[p].entryPoint?.endsWith('src/main.tsx'));
if (!mainOut) throw new Error('console: esbuild wrote no main bundle');
const js = rel(mainOut);
const cssFiles = Object.keys(outputs)
  .filter((p) => p.endsWith('.css'))
  .map(rel)
  .sort((a, b) => Number(b.startsWith('main-')) - Number(a.startsWith('main-')) || a.localeCompare(b));
const sheet = cssFiles.map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
for (const f of cssFiles) rmSync(join(out, f));
const css = `styles-${createHash('sha256').update(sheet).digest('hex').slice(0, 8).toUpperCase()}.css`;
writeFileSync(join(out, css), sheet);
/** The JavaScript a first visit loads: main and the chunks it imports statically. */
const firstLoad = new Set();
const visit = (p) => {
  if (firstLoad.has(p)) return;
  firstLoad.add(p);
  for (const i of outputs[p].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
};
visit(mainOut);
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Ingot console</title>
<link rel="stylesheet" href="./${css}">
${[...firstLoad].map((p) => `<link rel="modulepreload" href="./${rel(p)}">`).join('\n')}
</head>
<body>
<div id="root"></div>
<script type="module" src="./${js}"></script>
</body>
</html>
`,
);
const gz = (p) => gzipSync(readFileSync(join(out, rel(p))), { level: 9 }).length;
const jsOutputs = Object.keys(outputs).filter((p) => p.endsWith('.js'));
const jsGzip = jsOutputs.reduce((n, p) => n + gz(p), 0);
const mainJs = [...firstLoad].reduce((n, p) => n + gz(p), 0);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `console: built ${jsOutputs.length} scripts and one style sheet into console/dist in ${Date.now() - started} ms; ` +
    `JavaScript ${kib(jsGzip)} gzipped in all (budget ${kib(BUDGET)}), ${kib(mainJs)} of it loaded by a first visit`,
);
if (jsGzip > BUDGET) {
  console.error('console: the JavaScript is over its 1.5 MB gzipped budget');
  process.exit(1);
}

/**
 * The layering of src/ as a checked rule (run by `npm run check`; docs/architecture.md explains it).
 * Folders are listed top (entry points) to bottom (foundations). A folder may import only folders
 * listed in LOWER tiers: never a tier above it, never a sibling in its own tier. Type-only imports
 * count too (tsPreCompilationDeps). Tests (`*.test.ts`, `*.slow.ts`) are not checked.
 */
const TIERS = [
  ['cli'],
  ['server'],
  ['api', 'scheduler'],
  ['services'],
  ['worker', 'recipe-file'],
  ['engine', 'lifecycle'],
  ['distribution'],
  ['events'],
  ['findings', 'compliance', 'signing'],
  ['sbom', 'workflows'],
  ['toe', 'disk', 'cache'],
  ['instance', 'bases', 'artifacts'],
  ['oci', 'rootfs', 'cgroups'],
  ['queue', 'audit', 'images', 'arn'],
  ['store'],
  ['process', 'config', 'model', 'versions', 's3', 'timers', 'metrics', 'files'],
  ['errors'],
];

/** Deliberate exceptions, each with its reason: [from folder, to folder, why]. */
const ALLOWED = [];

const folders = TIERS.flat();
const rules = [];
TIERS.forEach((tier, t) => {
  for (const from of tier) {
    const forbidden = TIERS.slice(0, t + 1)
      .flat()
      .filter((to) => to !== from && !ALLOWED.some(([f, x]) => f === from && x === to));
    if (forbidden.length)
      rules.push({
        name: `layers: ${from}`,
        comment: `src/${from}/ may import only folders below its tier (see docs/architecture.md)`,
        severity: 'error',
        from: { path: `^src/${from}/` },
        to: { path: `^src/(${forbidden.join('|')})/` },
      });
  }
});

module.exports = {
  forbidden: [
    ...rules,
    {
      name: 'no-circular',
      comment: 'no import cycles, even inside a folder',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'known-folders',
      comment: 'every folder of src/ has a place in the tiers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: `^src/`, pathNot: `^src/(${folders.join('|')})/` },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test|\\.slow)\\.ts$|^src/model/generated/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

// The import rules of docs/architecture.md: no cycles, and the layer order.
// Checked by `npm run check:deps` (scripts/check-deps.mjs runs
// dependency-cruiser with these rules; see there why not `npx depcruise`).
// Keep LAYERS in the order of docs/architecture.md. File patterns end in
// `\.[jt]s$`: the check runs on JavaScript stand-ins of the TypeScript sources.

/**
 * Public entry points: may import anything; nothing but another entry imports
 * them. `src/<family>/index.ts`, and `src/threads/stream/index.ts`
 * (`edgewise/threads/stream`, apart so that apps without it do not bundle its worker).
 */
const ENTRY =
  '^src/(index|cli)\\.[jt]s$|^src/[^/]+/index\\.[jt]s$|^src/threads/stream/index\\.[jt]s$';

/**
 * Bottom to top. A module may import modules of its own layer and of the
 * layers above it in this list (lower layers), never of a layer below it.
 * Entries (ENTRY) are above every layer.
 */
const LAYERS = [
  { name: 'core', path: '^src/(errors\\.[jt]s$|core/)' },
  { name: 'threads-transport', path: '^src/threads/(comlink|worker-source)\\.[jt]s$' },
  { name: 'kernels', path: '^src/kernels/' },
  { name: 'gpu', path: '^src/gpu/' },
  { name: 'stats', path: '^src/stats/' },
  { name: 'events', path: '^src/events/' },
  { name: 'stream', path: '^src/stream/' },
  { name: 'storage', path: '^src/storage/' },
  { name: 'metrics', path: '^src/metrics/' },
  { name: 'anomaly', path: '^src/anomaly/' },
  { name: 'ml', path: '^src/ml/' },
  { name: 'sync', path: '^src/sync/' },
  { name: 'widgets', path: '^src/widgets/' },
  { name: 'threads', path: '^src/threads/[^/]+/' },
  { name: 'runtime', path: '^src/runtime(\\.[jt]s$|/)' },
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  return {
    name: `layer-${layer.name}`,
    severity: 'error',
    comment:
      `${layer.name} (${layer.path}) may import only ` +
      `${['itself', ...LAYERS.slice(0, i).map((l) => l.name)].join(', ')}: ` +
      `not ${above.map((l) => l.name).join(', ')} (docs/architecture.md).`,
    from: { path: layer.path, pathNot: ENTRY },
    to: { path: above.map((l) => l.path), pathNot: ENTRY },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycle (type-only and dynamic imports count): move what both sides need ' +
        'into the lower layer (docs/architecture.md).',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'no-entry-import',
      severity: 'error',
      comment:
        'Modules import the module that defines a name, not a public entry (src/index.ts, ' +
        'src/<family>/index.ts): entries re-export, and importing them back makes cycles.',
      from: { path: '^src/', pathNot: ENTRY },
      to: { path: ENTRY },
    },
    {
      name: 'layer-unlisted',
      severity: 'error',
      comment:
        'Every src/ module belongs to a layer of docs/architecture.md: add its folder to ' +
        'LAYERS in .dependency-cruiser.cjs (and to the document).',
      from: {
        path: '^src/',
        pathNot: [ENTRY, ...LAYERS.map((l) => l.path)],
      },
      to: {},
    },
    {
      name: 'src-only',
      severity: 'error',
      comment:
        'src/ imports src/ modules and packages only (no demo/, test/, bench/, scripts/); ' +
        'a relative import that does not resolve inside src/ lands here.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
